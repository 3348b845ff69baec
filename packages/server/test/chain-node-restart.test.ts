/**
 * The scanner under failures (both databases unless said otherwise):
 * - the node stops mid-run and comes back on the same URL with its chain (anvil --state):
 *   deposits seen before, mined just before the stop, and after the restart are each credited
 *   once; a withdrawal sent but not mined (lost with the node's pool) is sent again as the same
 *   stored transaction and paid once;
 * - two `openwaas serve` processes on one database: one scans (lease), it is SIGKILLed mid-run,
 *   the other takes over within the lease time; every deposit is credited and notified once;
 * - PostgreSQL: two services in one process run their scanners at the same moment (same lease
 *   holder): the cursor's compare-and-set and the status guard still credit each deposit once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import { parseEther } from 'viem';
import { startAnvil, type AnvilInstance } from '../src/chains/evm/anvil.js';
import { loadConfig } from '../src/config/config.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { createService, type Service } from '../src/service.js';
import { scannerLeaseName } from '../src/modules/deposits/index.js';
import { startServe, type ServeProcess } from './crash-support.js';
import { chainTestMnemonic, startChainWorld, type ChainWorld } from './support/chain-world.js';
import { depositsOfTx, freePort, untilDeposit } from './support/deposits.js';
import { assertAuditsClean } from './support/audits.js';
import { freshRecipient, setAutomine, txsOf, withdraw, withdrawalRow } from './support/chain-sends.js';
import { databaseKinds, skippedWithoutPostgres } from './support/databases.js';
import { eachDatabase } from './support/service.js';

/** Keeps the sweeper's own transactions out of these tests. */
const noSweeps = { ETH: '1000000', USDT: '1000000000' };

/** Notifications in the outbox for each deposit id (one per status change, whoever wrote them). */
async function outboxStatuses(world: ChainWorld, ids: number[]): Promise<Map<number, string[]>> {
  const rows = await world.t.ctx.store.db.selectFrom('notifications').select(['record_id', 'payload']).where('side', '=', 'deposit').where('record_id', 'in', ids).orderBy('id').execute();
  const out = new Map<number, string[]>(ids.map((id) => [id, []]));
  for (const r of rows) out.get(Number(r.record_id))!.push((JSON.parse(r.payload) as { status: string }).status);
  return out;
}

/** Journals written for each deposit id. */
async function journalCounts(world: ChainWorld, ids: number[]): Promise<number[]> {
  const rows = await world.t.ctx.store.db.selectFrom('journals').select('ref_id').where('ref_type', '=', 'deposit').where('ref_id', 'in', ids).execute();
  return ids.map((id) => rows.filter((r) => Number(r.ref_id) === id).length);
}

eachDatabase('chain scanner: node restart', (kind) => {
  let world: ChainWorld;
  let restarted: AnvilInstance | undefined;
  let stateDir: string;
  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'openwaas-anvil-state-'));
    world = await startChainWorld({ kind, anvil: { port: await freePort(), state: join(stateDir, 'state.json') }, config: { sweepThresholds: noSweeps } });
  });
  /** The node comes back on the same URL with the chain it saved when it stopped. */
  const nodeOptions = () => ({ port: Number(new URL(world.anvil.rpcUrl).port), state: join(stateDir, 'state.json') });
  after(async () => {
    await world?.close();
    await restarted?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('misses and duplicates no deposit when the node stops and comes back with its chain', async () => {
    const users = [await world.newUser(), await world.newUser(), await world.newUser()];
    const addresses = await Promise.all(users.map((u) => world.depositAddress(u)));
    const seenTx = await world.sendEth(addresses[0]!, '1');
    await untilDeposit(world, seenTx, 'the first deposit at status 0', (d) => d.status === DepositStatus.Confirming);
    // Mined right before the stop: the scanner may or may not have read its block yet.
    const lastTx = await world.sendEth(addresses[1]!, '2');
    await world.anvil.stop();

    restarted = await startAnvil(nodeOptions());
    assert.equal(restarted.rpcUrl, world.anvil.rpcUrl, 'the node is back on the same URL');
    const afterTx = await world.sendEth(addresses[2]!, '3');
    await world.mine(1);

    const ids: number[] = [];
    for (const [i, txid] of [seenTx, lastTx, afterTx].entries()) {
      const d = await untilDeposit(world, txid, `deposit ${i + 1} credited`, (row) => row.status === DepositStatus.Succeeded);
      ids.push(Number(d.id));
      const balance = await readBalance(world.t.ctx.store.db, userAccount(Number(world.t.merchant.id), users[i]!, Number(world.t.coins.ETH.id)));
      assert.equal(balance.normal, parseEther(String(i + 1)), `user ${i + 1} credited once`);
    }
    assert.deepEqual(await journalCounts(world, ids), [1, 1, 1]);
    assert.deepEqual([...(await outboxStatuses(world, ids)).values()], [['0', '1'], ['0', '1'], ['0', '1']]);
    await assertAuditsClean(world);
  });

  it('pays a withdrawal once when the node restarts and forgets it: the stored transaction is sent again, same hash and nonce', async () => {
    const uid = await world.newUser();
    await world.t.credit({ symbol: 'ETH', amount: '2', uid });
    const to = freshRecipient();
    // Sent but not mined: it lives only in the node's pool, which a restart loses.
    await setAutomine(world, false);
    const id = await withdraw(world, { uid, symbol: 'ETH', amount: '1', to });
    const [sent] = await world.until('the withdrawal broadcast', async () => {
      const rows = await txsOf(world, 'withdrawal', id);
      return rows[0]?.state === 'broadcast' && rows;
    });
    await restarted!.stop();
    restarted = await startAnvil(nodeOptions());
    assert.equal(await world.client.getTransactionCount({ address: world.chain.hotAddress as `0x${string}`, blockTag: 'pending' }), Number(sent!.sequence), 'the restarted node does not know the transaction');

    const paid = await world.until('the withdrawal paid', async () => {
      await world.mine(1);
      const w = await withdrawalRow(world, id);
      return w.status === WithdrawStatus.Succeeded && w;
    }, 30_000);
    const txs = await txsOf(world, 'withdrawal', id);
    const mined = txs.filter((r) => r.state === 'confirmed');
    assert.equal(mined.length, 1, 'one transaction mined');
    assert.equal(paid.txid, mined[0]!.hash);
    assert.ok(txs.every((r) => Number(r.sequence) === Number(sent!.sequence)), 'never a new nonce for this withdrawal');
    assert.equal(await world.client.getBalance({ address: to as `0x${string}` }), parseEther('0.999'), 'paid exactly once');
    await assertAuditsClean(world);
  });
});

eachDatabase('chain scanner: two service processes', (kind) => {
  let world: ChainWorld;
  const serves: ServeProcess[] = [];
  let configDir: string;
  let users: number[];
  let addresses: string[];
  before(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'openwaas-two-serves-'));
    const configFile = join(configDir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ sweepThresholds: noSweeps }));
    // This process serves the API only; the two child processes run the workers.
    world = await startChainWorld({ kind, config: { workers: false, sweepThresholds: noSweeps } });
    // Users and addresses first: this process's API is not the subject here, and on SQLite its
    // read-then-write transactions would compete with two other writing processes.
    users = await Promise.all(Array.from({ length: 5 }, () => world.newUser()));
    addresses = await Promise.all(users.map((u) => world.depositAddress(u)));
    const env = {
      DATABASE_URL: world.t.database.url,
      OPENWAAS_CHAINS: JSON.stringify([world.chain.config]),
      OPENWAAS_HD_MNEMONIC: chainTestMnemonic,
      OPENWAAS_NOTIFY_SCHEDULE_MS: '200,500,1000',
      OPENWAAS_RSA_WORKERS: '1',
      OPENWAAS_CONFIG: configFile,
      LOG_LEVEL: 'error',
    };
    serves.push(...(await Promise.all([startServe(env, 0), startServe(env, 0)])));
  });
  after(async () => {
    await Promise.all(serves.map((s) => s.kill('SIGKILL').catch(() => undefined)));
    await world?.close();
    rmSync(configDir, { recursive: true, force: true });
  });
  afterEach(() => assertAuditsClean(world));

  it('credits every deposit once when the scanning process is killed mid-run and the other takes over', async () => {
    const db = world.t.ctx.store.db;
    const txids = [await world.sendEth(addresses[0]!, '0.1'), await world.sendEth(addresses[1]!, '0.2'), await world.sendUsdt(addresses[2]!, 3_000_000n)];
    for (const txid of txids) await untilDeposit(world, txid, 'a deposit seen', () => true);

    const lease = await db.selectFrom('worker_leases').select('holder').where('name', '=', scannerLeaseName(world.chain.id)).executeTakeFirstOrThrow();
    const leader = serves.find((s) => lease.holder.startsWith(`${s.pid}-`));
    assert.ok(leader, `the scanner lease is held by one of the two processes (${lease.holder})`);
    await leader.kill('SIGKILL');

    txids.push(await world.sendEth(addresses[3]!, '0.4'), await world.sendUsdt(addresses[4]!, 5_000_000n));
    await world.mine(1);
    const deposits = [];
    for (const txid of txids) deposits.push(await untilDeposit(world, txid, `deposit ${txid} credited`, (d) => d.status === DepositStatus.Succeeded));
    const holder = (await db.selectFrom('worker_leases').select('holder').where('name', '=', scannerLeaseName(world.chain.id)).executeTakeFirstOrThrow()).holder;
    assert.ok(!holder.startsWith(`${leader.pid}-`), 'the other process took the scanner over');

    const ids = deposits.map((d) => Number(d.id));
    assert.deepEqual(await journalCounts(world, ids), [1, 1, 1, 1, 1]);
    assert.deepEqual([...(await outboxStatuses(world, ids)).values()], ids.map(() => ['0', '1']));
    const merchantId = Number(world.t.merchant.id);
    const expected = [
      [users[0]!, 'ETH', parseEther('0.1')],
      [users[1]!, 'ETH', parseEther('0.2')],
      [users[2]!, 'USDT', 3_000_000n],
      [users[3]!, 'ETH', parseEther('0.4')],
      [users[4]!, 'USDT', 5_000_000n],
    ] as const;
    for (const [uid, symbol, amount] of expected) {
      assert.equal((await readBalance(db, userAccount(merchantId, uid, Number(world.t.coins[symbol].id)))).normal, amount, `uid ${uid} ${symbol}`);
    }
  });
});

// In one process, two services share the lease holder, so both scanners really run at once; on
// SQLite two connections of one process would only wait on each other's write lock.
const kinds = await databaseKinds();
skippedWithoutPostgres(kinds, 'chain scanner: two scanners at once (postgres)');
describe('chain scanner: two scanners at once (postgres)', { skip: !kinds.includes('postgres') }, () => {
  let world: ChainWorld;
  let second: Service | undefined;
  before(async () => {
    world = await startChainWorld({ kind: 'postgres', config: { sweepThresholds: noSweeps } });
    const config = loadConfig(
      { databaseUrl: world.t.database.url, host: '127.0.0.1', port: 0, logLevel: 'silent', rsaWorkers: 1, workers: true, insecureDevKeys: true, hdMnemonic: chainTestMnemonic, chains: [world.chain.config], sweepThresholds: noSweeps },
      {},
    );
    second = await createService(config);
  });
  after(async () => {
    await second?.close();
    await world?.close();
  });
  afterEach(() => assertAuditsClean(world));

  it('credits each deposit once while two scanners race on one database', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => world.newUser()));
    const addresses = await Promise.all(users.map((u) => world.depositAddress(u)));
    const txids: string[] = [];
    for (const [i, address] of addresses.entries()) {
      txids.push(i % 2 === 0 ? await world.sendEth(address, '0.05') : await world.sendUsdt(address, 1_000_000n));
    }
    await world.mine(2);
    const ids: number[] = [];
    for (const txid of txids) {
      const d = await untilDeposit(world, txid, `deposit ${txid} credited`, (row) => row.status === DepositStatus.Succeeded);
      assert.equal((await depositsOfTx(world.t.ctx.store.db, txid)).length, 1);
      ids.push(Number(d.id));
    }
    assert.deepEqual(await journalCounts(world, ids), ids.map(() => 1));
    assert.deepEqual([...(await outboxStatuses(world, ids)).values()], ids.map(() => ['0', '1']));
  });
});
