/**
 * The scanner behind a misbehaving node (both databases): a JSON-RPC proxy between the service
 * and anvil injects the bad answers nodes give — debug_traceBlockByNumber entries with an error
 * and no result (anvil after --load-state, geth when tracing fails), error objects, null blocks,
 * missing receipts, HTTP 500. A passing fault delays a deposit but never loses it; a lasting one
 * raises a `scanner-stalled` alert naming the block and the node's error, shown by `chain
 * status`, both cleared once the node answers again; `chain backfill` through a failing node
 * prints the failures and stops with exit code 1 instead of waiting forever.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, it } from 'node:test';
import { DepositStatus } from '@openwaas/sdk';
import { parseEther, type Hex } from 'viem';
import { CommandFailed } from '../src/cli/args.js';
import { backfill } from '../src/cli/chain.js';
import { resolveAlert } from '../src/modules/alerts/index.js';
import type { ChainStatus } from '../src/modules/deposits/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { scannerStalledKey, scannerUntracedKey } from '../src/modules/deposits/index.js';
import { chainTestMnemonic, startChainWorld, type ChainWorld } from './support/chain-world.js';
import { deployForwarder, depositsOfTx, forwardEth, freePort } from './support/deposits.js';
import { assertAuditsClean } from './support/audits.js';
import { allOf, firstTimes, http500, nullResult, rpcError, startRpcProxy, traceEntryErrors, type RpcFault, type RpcProxy } from './support/rpc-proxy.js';
import { eachDatabase } from './support/service.js';
import { insecureDevKeysEnvValue } from './support/dev-keys.js';
import { cliRunners } from './support/cli.js';


/** Keeps the sweeper's own transactions out of these tests. */
const noSweeps = { ETH: '1000000', USDT: '1000000000' };

/** `fault` for calls about block `n` only (their first parameter is its number). */
const forBlock =
  (n: number, fault: RpcFault): RpcFault =>
  (call, answer) =>
    call.params[0] === `0x${n.toString(16)}` ? fault(call, answer) : undefined;

/** Neither tracing method works: debug entries carry errors, trace_block is unknown. */
const noTraces = allOf(traceEntryErrors, rpcError('trace_block', 'the method trace_block does not exist/is not available', -32601));

eachDatabase('chain scanner: a failing node', (kind) => {
  let world: ChainWorld;
  let proxy: RpcProxy;
  let cwd: string;
  before(async () => {
    const port = await freePort();
    proxy = await startRpcProxy(`http://127.0.0.1:${port}`);
    // The service reaches the node only through the proxy; the test mines and sends directly.
    world = await startChainWorld({ kind, anvil: { port }, chain: { rpcUrl: proxy.url, stallAlertAfterMs: 500 }, config: { sweepThresholds: noSweeps } });
    cwd = mkdtempSync(join(tmpdir(), 'openwaas-scanner-faults-'));
  });
  after(async () => {
    await world?.close();
    await proxy?.close();
    rmSync(cwd, { recursive: true, force: true });
  });
  afterEach(async () => {
    proxy.fault = undefined;
    const db = world.t.ctx.store.db;
    await resolveAlert(db, scannerUntracedKey(world.chain.id), Date.now());
    await world.until('the stall resolved', async () => (await openAlert(scannerStalledKey(world.chain.id))) === undefined);
    await assertAuditsClean(world);
  });

  const openAlert = (key: string) => world.t.ctx.store.db.selectFrom('operator_alerts').selectAll().where('key', '=', key).where('resolved_at', 'is', null).executeTakeFirst();
  const cliEnv = () => ({
    DATABASE_URL: world.t.database.url,
    OPENWAAS_CHAINS: JSON.stringify([world.chain.config]),
    OPENWAAS_HD_MNEMONIC: chainTestMnemonic,
    OPENWAAS_KEYSTORE: join(cwd, 'no-keystore.json'),
    ...insecureDevKeysEnvValue,
    LOG_LEVEL: 'silent',
  });
  const { cliHere, cliProcess } = cliRunners(cliEnv, () => cwd);
  const chainStatus = async (): Promise<ChainStatus> => {
    const status = await cliHere(['chain', 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    return (JSON.parse(status.stdout) as ChainStatus[])[0]!;
  };
  /** The block the next transaction goes into (anvil mines each one; nothing else mines here). */
  const nextBlock = async () => Number(await world.client.getBlockNumber()) + 1;
  /** Waits until the transaction's deposit is credited, mining a block per look for its confirmations. */
  const untilCredited = (txid: Hex, what: string) =>
    world.until(
      what,
      async () => {
        const [row] = await depositsOfTx(world.t.ctx.store.db, txid);
        if (row?.status === DepositStatus.Succeeded) return row;
        await world.mine(1);
        return undefined;
      },
      60_000,
    );
  const balanceOf = (uid: number) => readBalance(world.t.ctx.store.db, userAccount(Number(world.t.merchant.id), uid, Number(world.t.coins.ETH.id)));

  it('per-transaction trace errors: traced with trace_block instead, value forwarded by a contract included', async () => {
    const forwarder = await deployForwarder(world);
    const [a, b] = [await world.newUser(), await world.newUser()];
    const [addressA, addressB] = [await world.depositAddress(a), await world.depositAddress(b)];
    proxy.fault = traceEntryErrors;
    const before = proxy.injected;
    const plain = await world.sendEth(addressA, '1');
    const forwarded = await forwardEth(world, forwarder, addressB, parseEther('0.5'));
    await untilCredited(plain, 'the plain deposit credited');
    const inner = await untilCredited(forwarded, 'the forwarded deposit credited');
    assert.equal(inner.tx_index, 'trace:0', 'found inside the contract call');
    assert.ok(proxy.injected > before, 'the trace errors were answered');
    assert.equal((await balanceOf(a)).normal, parseEther('1'));
    assert.equal((await balanceOf(b)).normal, parseEther('0.5'));
    assert.equal(await openAlert(scannerUntracedKey(world.chain.id)), undefined, 'every transaction traced');
  });

  it('chain backfill through per-transaction trace errors (what a restarted node answers) finishes, and the value a contract forwarded is credited once', async () => {
    const forwarder = await deployForwarder(world);
    const uid = await world.newUser();
    const address = await world.depositAddress(uid);
    proxy.fault = traceEntryErrors;
    const from = await nextBlock();
    const forwarded = await forwardEth(world, forwarder, address, parseEther('0.3'));
    await world.mine(1);
    const lines: string[] = [];
    // From the first block: the backfill may not skip blocks the scanner has not reached yet.
    const summary = await backfill(world.t.ctx, world.chain, { from: 1 }, { stderr: { write: (s: string) => lines.push(s) } as never });
    assert.ok(summary.scanned_to >= from, `scanned past block ${from}: ${lines.join('')}`);
    const row = await untilCredited(forwarded, 'the forwarded deposit credited');
    assert.equal(row.tx_index, 'trace:0', 'found inside the contract call');
    assert.equal((await depositsOfTx(world.t.ctx.store.db, forwarded)).length, 1, 'recorded once, whoever scanned it');
    assert.equal((await balanceOf(uid)).normal, parseEther('0.3'));
  });

  it('no tracing method works: plain transfers found from their receipts, and the operator told which block was read without traces', async () => {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid);
    proxy.fault = noTraces;
    const block = await nextBlock();
    const txid = await world.sendEth(address, '0.25');
    const row = await untilCredited(txid, 'the deposit credited from its receipt');
    assert.equal(row.tx_index, 'tx');
    assert.equal((await balanceOf(uid)).normal, parseEther('0.25'));
    const alert = await world.until('the untraced alert', () => openAlert(scannerUntracedKey(world.chain.id)));
    assert.equal(alert.kind, 'scanner-untraced');
    assert.match(alert.message, new RegExp(`block\\(s\\) [\\d, ]*\\b${block}\\b`));
    assert.match(alert.message, /trace_block does not exist/);
  });

  const passing: Array<{ name: string; fault: (block: number) => RpcFault }> = [
    { name: 'null blocks', fault: (n) => firstTimes(4, forBlock(n, nullResult('eth_getBlockByNumber'))) },
    { name: 'error objects for the block', fault: (n) => firstTimes(4, forBlock(n, rpcError('eth_getBlockByNumber', 'header not found'))) },
    { name: 'an error object for the trace', fault: (n) => forBlock(n, rpcError('debug_traceBlockByNumber', 'execution timeout')) },
    { name: 'HTTP 500 for the trace', fault: (n) => firstTimes(4, forBlock(n, http500('debug_traceBlockByNumber'))) },
    { name: 'missing receipts (no traces)', fault: () => allOf(noTraces, firstTimes(4, nullResult('eth_getTransactionReceipt'))) },
  ];
  for (const { name, fault } of passing) {
    it(`${name} for a while: the deposit is credited once the node answers`, async () => {
      const uid = await world.newUser();
      const address = await world.depositAddress(uid);
      proxy.fault = fault(await nextBlock());
      const before = proxy.injected;
      const txid = await world.sendEth(address, '0.1');
      await untilCredited(txid, 'the deposit credited');
      assert.ok(proxy.injected > before, 'the fault was injected');
      assert.equal((await balanceOf(uid)).normal, parseEther('0.1'), 'credited once');
      assert.equal((await chainStatus()).scanner_error, undefined, 'no error left on the chain');
    });
  }

  const lasting: Array<{ name: string; fault: (block: number) => RpcFault; says: RegExp }> = [
    { name: 'HTTP 500 for the block', fault: (n) => forBlock(n, http500('eth_getBlockByNumber')), says: /HTTP request failed|Internal Server Error/ },
    { name: 'a receipt the node does not have (no traces)', fault: () => allOf(noTraces, nullResult('eth_getTransactionReceipt')), says: /receipt of 0x[0-9a-f]{64}/ },
  ];
  for (const { name, fault, says } of lasting) {
    it(`${name}, lasting: a scanner-stalled alert names the block and the error, chain status shows them; both clear when the node answers`, async () => {
      const uid = await world.newUser();
      const address = await world.depositAddress(uid);
      const block = await nextBlock();
      proxy.fault = fault(block);
      const txid = await world.sendEth(address, '0.3');
      await world.mine(2);
      const alert = await world.until('the scanner-stalled alert', () => openAlert(scannerStalledKey(world.chain.id)));
      assert.equal(alert.kind, 'scanner-stalled');
      assert.match(alert.message, new RegExp(`${world.chain.id}: the scanner is stuck at block ${block}\\b`));
      assert.match(alert.message, says);

      const stuck = await chainStatus();
      assert.equal(stuck.scanner_error?.block, block);
      assert.match(stuck.scanner_error!.error, says);
      assert.ok(stuck.scanned < block && stuck.behind! >= 2, `the lag shows: ${JSON.stringify(stuck)}`);
      assert.deepEqual(await depositsOfTx(world.t.ctx.store.db, txid), [], 'nothing recorded past the failing block');
      const text = await cliHere(['chain', 'status']);
      assert.match(text.stdout, new RegExp(`block ${block} for \\d+ s: `));

      proxy.fault = undefined;
      await untilCredited(txid, 'the deposit credited after the node recovers');
      await world.until('the alert resolved', async () => (await openAlert(scannerStalledKey(world.chain.id))) === undefined);
      assert.equal((await chainStatus()).scanner_error, undefined);
      assert.equal((await balanceOf(uid)).normal, parseEther('0.3'));
    });
  }

  it('a node that answers null for a block below its head is stuck, not reorganised: the unconfirmed deposit in it is never failed', async () => {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid);
    const block = await nextBlock();
    const txid = await world.sendEth(address, '0.4');
    const seen = await world.until('the deposit at status 0', async () => {
      const [row] = await depositsOfTx(world.t.ctx.store.db, txid);
      return row?.status === DepositStatus.Confirming && row;
    });
    // Nothing mines: the scanner, at the head, checks that its last block is still there.
    proxy.fault = forBlock(block, nullResult('eth_getBlockByNumber'));
    const alert = await world.until('the scanner-stalled alert', () => openAlert(scannerStalledKey(world.chain.id)));
    assert.match(alert.message, new RegExp(`stuck at block ${block}\\b.*has no block ${block}`));
    const [row] = await depositsOfTx(world.t.ctx.store.db, txid);
    assert.equal(row!.status, DepositStatus.Confirming, 'not failed as if reorganised away');

    proxy.fault = undefined;
    const credited = await untilCredited(txid, 'the deposit credited');
    assert.equal(credited.id, seen.id, 'the same deposit');
    assert.equal((await balanceOf(uid)).normal, parseEther('0.4'));
  });

  it('chain backfill through a failing node prints the failures and stops with exit code 1, scanning itself or following the service', async () => {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid);
    const block = await nextBlock();
    proxy.fault = forBlock(block, http500('eth_getBlockByNumber'));
    const txid = await world.sendEth(address, '0.2');
    await world.mine(1);
    await world.until('the service stalled', () => openAlert(scannerStalledKey(world.chain.id)));

    // Another process: the service holds the scanner, so the command follows it and sees it stuck.
    const followed = await cliProcess(['chain', 'backfill', '--chain', world.chain.id, '--from', String(block - 2)]);
    assert.equal(followed.code, 1, followed.stderr);
    assert.match(followed.stderr, /block \d+\/\d+ \(\d+ %\)/, 'progress printed');
    assert.match(followed.stderr, new RegExp(`stuck at block ${block}: .*(HTTP request failed|Internal Server Error)`));
    assert.match(followed.stderr, /run the command again with --from \d+ once the node answers/, 'says where to go on');

    // This process holds the lease too: the backfill scans itself, retries, and gives up.
    const lines: string[] = [];
    await assert.rejects(
      backfill(world.t.ctx, world.chain, { from: block - 2 }, { stderr: { write: (s: string) => lines.push(s) } as never }),
      (error: unknown) => error instanceof CommandFailed && new RegExp(`stopped after \\d+ failed attempts at block ${block}: `).test(error.message),
    );
    // Each failed attempt is printed. (The service's own scanner runs beside this one on the same
    // batching client, so a failed HTTP batch may also take its head read down: not every line
    // names the failing block, but the last one does.)
    const attempts = lines.filter((l) => /\(attempt \d+\/\d+\)/.test(l));
    assert.ok(attempts.some((l) => /\(attempt 1\/\d+\)/.test(l)), lines.join(''));
    assert.ok(attempts.some((l) => new RegExp(`block ${block}: .*\\(attempt \\d+/\\d+\\)`).test(l)), lines.join(''));

    proxy.fault = undefined;
    await untilCredited(txid, 'the deposit credited after the node recovers');
    assert.equal((await balanceOf(uid)).normal, parseEther('0.2'));
  });
});
