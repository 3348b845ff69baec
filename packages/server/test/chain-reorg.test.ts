/**
 * Reorganisations as the scanner sees them, made with anvil's evm_snapshot / evm_revert (both
 * databases): an unconfirmed deposit whose block disappears fails (never credited, notified) and
 * comes back when the same transaction is mined again; a credited deposit whose block disappears
 * keeps its money and raises an operator alert, resolved when the transaction is mined again; a
 * reorg deeper than the stored block hashes stops the scanner with an alert until an operator
 * backfills from below the fork.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import { DepositStatus } from '@openwaas/sdk';
import { getAddress, parseEther, type Hex } from 'viem';
import { backfill } from '../src/cli/chain.js';
import { createEvmClients, revert, snapshot } from '../src/chains/evm/client.js';
import { devAccount } from '../src/chains/evm/dev-setup.js';
import { reorgAfterCreditKey, reorgFailedReason } from '../src/modules/deposits/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { reorgTooDeepKey, scanStep } from '../src/modules/deposits/index.js';
import { startChainWorld, type ChainWorld } from './support/chain-world.js';
import { notifiedStatuses, untilDeposit } from './support/deposits.js';
import { outboxStatuses } from './support/notifications.js';
import { assertAuditsClean } from './support/audits.js';
import { eachDatabase } from './support/service.js';

/** Keeps the sweeper away from these deposits: a reorg test rewrites the chain under it. */
const noSweeps = { ETH: '1000000', USDT: '1000000000' };

eachDatabase('chain reorgs', (kind) => {
  let world: ChainWorld;
  before(async () => {
    // reorgDepth 1: the scanner keeps 17 block hashes, so a 40-block reorg is "too deep".
    world = await startChainWorld({ kind, chain: { reorgDepth: 1 }, config: { sweepThresholds: noSweeps } });
  });
  after(() => world?.close());
  afterEach(() => assertAuditsClean(world));

  const ethId = () => Number(world.t.coins.ETH.id);
  const balanceOf = async (uid: number) => (await readBalance(world.t.ctx.store.db, userAccount(Number(world.t.merchant.id), uid, ethId()))).normal;

  /** An ETH transfer signed once, so exactly the same transaction (same txid) can be mined again after a revert. */
  async function signedTransfer(to: string, eth: string, from: number): Promise<Hex> {
    const wallet = createEvmClients({ rpcUrl: world.anvil.rpcUrl, chainId: world.anvil.chainId, dev: true }, devAccount(from)).walletClient;
    const request = await wallet.prepareTransactionRequest({ to: getAddress(to), value: parseEther(eth), account: wallet.account, chain: wallet.chain });
    return wallet.signTransaction(request);
  }
  async function mineRaw(raw: Hex): Promise<Hex> {
    const hash = await world.client.sendRawTransaction({ serializedTransaction: raw });
    const receipt = await world.client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    return hash;
  }
  const cursor = async () => Number((await world.t.ctx.store.db.selectFrom('chain_cursors').select('scanned_height').where('chain', '=', world.chain.id).executeTakeFirstOrThrow()).scanned_height);
  const openAlert = (key: string) => world.t.ctx.store.db.selectFrom('operator_alerts').selectAll().where('key', '=', key).where('resolved_at', 'is', null).executeTakeFirst();

  it('fails an unconfirmed deposit whose block is reorganised away, and revives it when the same transaction is mined again', async () => {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid);
    const snap = await snapshot(world.client);
    const raw = await signedTransfer(address, '0.7', 3);
    const txid = await mineRaw(raw);
    const seen = await untilDeposit(world, txid, 'the deposit at status 0', (d) => d.status === DepositStatus.Confirming);

    assert.equal(await revert(world.client, snap), true);
    const failed = await untilDeposit(world, txid, 'the deposit failed by the reorg', (d) => d.status === DepositStatus.Failed);
    assert.equal(failed.review_reason, reorgFailedReason);
    await world.mine(3);
    await world.until('the scanner past the new blocks', async () => (await cursor()) >= Number(seen.block_number) + 2);
    assert.equal((await untilDeposit(world, txid, 'still failed', () => true)).status, DepositStatus.Failed, 'a failed deposit stays failed');
    assert.equal(await balanceOf(uid), 0n, 'never credited');

    // The same signed transaction lands in the new branch: same txid and index, a new block.
    await mineRaw(raw);
    const revived = await untilDeposit(world, txid, 'the deposit back at status 0', (d) => d.status === DepositStatus.Confirming || d.status === DepositStatus.Succeeded);
    assert.notEqual(revived.block_hash, seen.block_hash);
    await world.mine(1);
    const credited = await untilDeposit(world, txid, 'the revived deposit credited', (d) => d.status === DepositStatus.Succeeded);
    assert.equal(await balanceOf(uid), parseEther('0.7'), 'credited exactly once');
    const statuses = await world.until('four notifications', () => {
      const s = notifiedStatuses(world.notifications, Number(credited.id));
      return s.length >= 4 && s;
    });
    assert.deepEqual(statuses, ['0', '2', '0', '1']);
  });

  it('keeps the money of a credited deposit whose block is reorganised away and alerts the operator', async () => {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid);
    const snap = await snapshot(world.client);
    const raw = await signedTransfer(address, '0.4', 4);
    const txid = await mineRaw(raw);
    await world.mine(1);
    const credited = await untilDeposit(world, txid, 'the deposit credited', (d) => d.status === DepositStatus.Succeeded);

    assert.equal(await revert(world.client, snap), true);
    const key = reorgAfterCreditKey(Number(credited.id));
    const alert = await world.until('the reorg-after-credit alert', () => openAlert(key));
    assert.equal(alert.kind, 'reorg-after-credit');
    assert.match(alert.message, new RegExp(`deposit ${credited.id}\\b`));
    assert.equal((await untilDeposit(world, txid, 'unchanged', () => true)).status, DepositStatus.Succeeded, 'the credit is not undone');
    assert.equal(await balanceOf(uid), parseEther('0.4'));

    // Mined again: the money is on chain after all; the alert resolves itself.
    await mineRaw(raw);
    await world.until('the alert resolved', async () => (await openAlert(key)) === undefined);
    assert.equal(await balanceOf(uid), parseEther('0.4'), 'still credited once');
    // The outbox is where a status change would show; the two sent notifications may still be on their way.
    assert.deepEqual(await outboxStatuses(world.t.ctx.store.db, 'deposit', Number(credited.id)), ['0', '1'], 'no status change after the revert');
    const statuses = await world.until('both notifications', () => {
      const s = notifiedStatuses(world.notifications, Number(credited.id));
      return s.length >= 2 && s;
    });
    assert.deepEqual(statuses, ['0', '1']);
  });

  it('stops with an alert on a reorg deeper than the stored hashes, and goes on after a backfill from below the fork', async () => {
    const db = world.t.ctx.store.db;
    const forkAt = Number(await world.client.getBlockNumber());
    await world.until('the scanner at the head', async () => (await cursor()) >= forkAt);
    const snap = await snapshot(world.client);
    await world.mine(40);
    await world.until('the scanner past the 40 blocks', async () => (await cursor()) >= forkAt + 40);
    assert.equal(await revert(world.client, snap), true);
    await world.mine(45);

    const alert = await world.until('the reorg-too-deep alert', () => openAlert(reorgTooDeepKey(world.chain.id)));
    assert.equal(alert.kind, 'reorg-too-deep');
    const stoppedAt = await cursor();
    assert.equal(stoppedAt, forkAt + 40, 'the cursor did not move');

    // A deposit now waits: the scanner credits nothing while it cannot tell which blocks are real.
    const uid = await world.newUser();
    const txid = await world.sendEth(await world.depositAddress(uid), '0.2');
    await world.mine(2);
    const step = await scanStep(world.t.ctx, world.chain);
    assert.equal(step.stopped, 'reorg-too-deep');
    assert.equal((await db.selectFrom('deposits').select('id').where('txid', '=', txid.toLowerCase()).execute()).length, 0);
    assert.equal(await cursor(), stoppedAt);

    // The operator rescans from the fork: the running service's scanner does it, the alert closes.
    const summary = await backfill(world.t.ctx, world.chain, { from: forkAt + 1 }, { stderr: { write: () => true } as never });
    assert.ok(summary.scanned_to >= forkAt + 45);
    await world.until('the alert resolved', async () => (await openAlert(reorgTooDeepKey(world.chain.id))) === undefined);
    const credited = await untilDeposit(world, txid, 'the waiting deposit credited', (d) => d.status === DepositStatus.Succeeded);
    assert.equal(credited.review_reason, '');
    assert.equal(await balanceOf(uid), parseEther('0.2'));
  });
});
