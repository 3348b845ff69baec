/**
 * The sandbox's restart (both databases): anvil stops, writing its chain to a state file, and
 * comes back with `--state` (no historical states, as the sandbox runs it). Blocks mined before
 * the restart then answer debug_traceBlockByNumber with `{txHash, error: "Resource not found"}`
 * entries and no result. A scanner that had not read them yet (the service stops before the
 * node in the sandbox) still credits the deposit they hold, and the one sent after the restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { DepositStatus } from '@openwaas/sdk';
import { parseEther } from 'viem';
import { startAnvil, type AnvilInstance } from '../src/chains/evm/anvil.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { createService, type Service } from '../src/service.js';
import { startChainWorld, type ChainWorld } from './support/chain-world.js';
import { depositsOfTx, freePort } from './support/deposits.js';
import { assertAuditsClean } from './support/audits.js';
import { eachDatabase } from './support/service.js';

/** Keeps the sweeper's own transactions out of this test. */
const noSweeps = { ETH: '1000000', USDT: '1000000000' };

eachDatabase('chain scanner: a node restarted from its state file', (kind) => {
  let world: ChainWorld;
  let stateDir: string;
  let restarted: AnvilInstance | undefined;
  let scanning: Service | undefined;
  /** The sandbox's anvil arguments: the chain kept in a state file across restarts. */
  const nodeOptions = (port: number) => ({ port, extraArgs: ['--state', join(stateDir, 'state.json')] });
  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'openwaas-anvil-state-'));
    // Workers off: nothing reads the blocks before the restart, as when the sandbox stops its service first.
    world = await startChainWorld({ kind, anvil: nodeOptions(await freePort()), config: { workers: false, sweepThresholds: noSweeps } });
  });
  after(async () => {
    await scanning?.close();
    await world?.close();
    await restarted?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('credits deposits mined before and after the restart', async () => {
    const users = [await world.newUser(), await world.newUser()];
    const addresses = await Promise.all(users.map((u) => world.depositAddress(u)));
    const beforeTx = await world.sendEth(addresses[0]!, '1');
    await world.anvil.stop();
    restarted = await startAnvil(nodeOptions(Number(new URL(world.anvil.rpcUrl).port)));
    assert.equal(restarted.rpcUrl, world.anvil.rpcUrl, 'the node is back on the same URL');
    const traced = (await world.client.request({ method: 'debug_traceBlockByNumber', params: ['0x1', { tracer: 'callTracer' }] } as never)) as Array<{ result?: unknown; error?: string }>;
    assert.ok(traced.length > 0 && traced.every((e) => e.result === undefined && e.error), `blocks from before the restart are not traced: ${JSON.stringify(traced)}`);
    const afterTx = await world.sendEth(addresses[1]!, '2');

    // The service comes up after its node, as the sandbox starts them.
    scanning = await createService({ ...world.t.ctx.config, workers: true });
    for (const [i, txid] of [beforeTx, afterTx].entries()) {
      await world.until(`deposit ${i + 1} credited`, async () => {
        const [row] = await depositsOfTx(world.t.ctx.store.db, txid);
        if (row?.status === DepositStatus.Succeeded) return true;
        await world.mine(1);
        return false;
      }, 60_000);
      const balance = await readBalance(world.t.ctx.store.db, userAccount(Number(world.t.merchant.id), users[i]!, Number(world.t.coins.ETH.id)));
      assert.equal(balance.normal, parseEther(String(i + 1)), `user ${i + 1} credited once`);
    }
    await assertAuditsClean(world);
  });
});
