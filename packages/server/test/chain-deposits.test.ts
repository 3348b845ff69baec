/**
 * On-chain deposits end to end on a real anvil node (both databases): the scanner finds plain
 * ETH transfers, USDT transfers and ETH forwarded by a contract call (tracing); a deposit is
 * notified at status 0, credited after the coin's 2 confirmations and notified again; below the
 * coin's minimum it fails into suspense; with auto-collection it is credited to the merchant's
 * collection account; refills of the hot and fee wallets are treasury receipts; a backfill over
 * everything scanned changes nothing. The ledger audit and the chain audit
 * (ledger against on-chain balances) are clean after every test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, it } from 'node:test';
import { DepositStatus } from '@openwaas/sdk';
import { parseEther } from 'viem';
import { backfill } from '../src/cli/chain.js';
import { chainAccount, suspenseAccount, treasuryAccount } from '../src/modules/chain-sends/index.js';
import { belowMinimumReason } from '../src/modules/deposits/index.js';
import { collectionAccount, userAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { upsertCoin } from '../src/modules/coins/index.js';
import { chainTestMnemonic, feeWalletEth, hotWalletEth, hotWalletUsdt, startChainWorld, type ChainWorld } from './support/chain-world.js';
import { deployForwarder, depositsOfTx, forwardEth, notifiedStatuses, untilDeposit } from './support/deposits.js';
import { assertAuditsClean } from './support/audits.js';
import { eachDatabase } from './support/service.js';
import { cliRunners } from './support/cli.js';


eachDatabase('chain deposits', (kind) => {
  let world: ChainWorld;
  let cwd: string;
  before(async () => {
    // Sweeps off: no transaction but the test's own mines a block, so confirmation counts are exact.
    world = await startChainWorld({ kind, config: { sweepThresholds: { ETH: '1000000', USDT: '1000000000' } } });
    cwd = mkdtempSync(join(tmpdir(), 'openwaas-chain-cli-'));
  });
  after(async () => {
    await world?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  /** What the CLI needs to reach the world's database and chain (keys from the test mnemonic). */
  const cliEnv = () => ({
    DATABASE_URL: world.t.database.url,
    OPENWAAS_CHAINS: JSON.stringify([world.chain.config]),
    OPENWAAS_HD_MNEMONIC: chainTestMnemonic,
    OPENWAAS_KEYSTORE: join(cwd, 'no-keystore.json'),
    // The test chain's keys come from a plaintext mnemonic: development keys, said explicitly.
    OPENWAAS_INSECURE_DEV_KEYS: '1',
    LOG_LEVEL: 'silent',
  });
  const { cliHere, cliProcess } = cliRunners(cliEnv, () => cwd, { processTimeoutMs: 60_000 });
  afterEach(() => assertAuditsClean(world));

  const coinId = (symbol: 'ETH' | 'USDT') => Number(world.t.coins[symbol].id);
  const merchantId = () => Number(world.t.merchant.id);

  it('credits a plain ETH transfer after 2 confirmations, notifying status 0 then 1, listed by syncDepositList', async () => {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'ETH');
    const txid = await world.sendEth(address, '1.25');

    const seen = await untilDeposit(world, txid, 'the deposit at status 0', (d) => d.status === DepositStatus.Confirming);
    assert.equal(seen.confirmations, 1);
    assert.equal(seen.tx_index, 'tx');
    assert.equal(seen.amount, parseEther('1.25').toString());
    assert.equal(seen.address_to, address);
    assert.equal(Number(seen.uid), uid);
    assert.equal((await readBalance(world.t.ctx.store.db, userAccount(merchantId(), uid, coinId('ETH')))).normal, 0n, 'not credited at 1 confirmation');

    await world.mine(1);
    const credited = await untilDeposit(world, txid, 'the deposit credited', (d) => d.status === DepositStatus.Succeeded);
    assert.equal(credited.confirmations, 2);
    assert.equal(credited.to_collection, 0);
    assert.equal((await readBalance(world.t.ctx.store.db, userAccount(merchantId(), uid, coinId('ETH')))).normal, parseEther('1.25'));

    const statuses = await world.until('both notifications', () => {
      const s = notifiedStatuses(world.notifications, Number(credited.id));
      return s.length >= 2 && s;
    });
    assert.deepEqual(statuses, ['0', '1']);

    const listed = (await world.t.client.syncDepositList({ max_id: 0 })).find((d) => d.id === Number(credited.id));
    assert.ok(listed, 'syncDepositList returns the deposit');
    assert.equal(listed.status, DepositStatus.Succeeded);
    assert.equal(listed.amount, '1.25');
    assert.equal(listed.txid, txid.toLowerCase());
    assert.equal(listed.confirmations, 2);
  });

  it('credits a USDT transfer (token log) after 2 confirmations', async () => {
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'USDT');
    const txid = await world.sendUsdt(address, 250_500_000n);
    const seen = await untilDeposit(world, txid, 'the USDT deposit at status 0', (d) => d.status === DepositStatus.Confirming);
    assert.equal(seen.symbol, 'USDT');
    assert.match(seen.tx_index, /^log:\d+$/);
    await world.mine(1);
    const credited = await untilDeposit(world, txid, 'the USDT deposit credited', (d) => d.status === DepositStatus.Succeeded);
    assert.equal((await readBalance(world.t.ctx.store.db, userAccount(merchantId(), uid, coinId('USDT')))).normal, 250_500_000n);
    const statuses = await world.until('both notifications', () => {
      const s = notifiedStatuses(world.notifications, Number(credited.id));
      return s.length >= 2 && s;
    });
    assert.deepEqual(statuses, ['0', '1']);
  });

  it('finds ETH a contract forwards to a deposit address inside a call (tracing)', async () => {
    const forwarder = await deployForwarder(world);
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'ETH');
    const txid = await forwardEth(world, forwarder, address, parseEther('0.3'));
    await world.mine(1);
    const credited = await untilDeposit(world, txid, 'the forwarded deposit credited', (d) => d.status === DepositStatus.Succeeded);
    assert.equal(credited.tx_index, 'trace:0');
    assert.equal(credited.address_from, forwarder.toLowerCase());
    assert.equal((await readBalance(world.t.ctx.store.db, userAccount(merchantId(), uid, coinId('ETH')))).normal, parseEther('0.3'));
  });

  it('fails a deposit below the coin minimum into suspense, never crediting the user', async () => {
    const db = world.t.ctx.store.db;
    const suspenseBefore = (await readBalance(db, suspenseAccount(coinId('ETH')))).normal;
    await db.updateTable('coins').set({ min_deposit: parseEther('1').toString() }).where('id', '=', coinId('ETH')).execute();
    try {
      const uid = await world.newUser();
      const address = await world.depositAddress(uid, 'ETH');
      const txid = await world.sendEth(address, '0.5');
      await untilDeposit(world, txid, 'the small deposit at status 0', (d) => d.status === DepositStatus.Confirming);
      await world.mine(1);
      const failed = await untilDeposit(world, txid, 'the small deposit failed', (d) => d.status === DepositStatus.Failed);
      assert.equal(failed.review_reason, belowMinimumReason);
      assert.equal((await readBalance(db, userAccount(merchantId(), uid, coinId('ETH')))).normal, 0n);
      assert.equal((await readBalance(db, suspenseAccount(coinId('ETH')))).normal - suspenseBefore, parseEther('0.5'));
      const statuses = await world.until('both notifications', () => {
        const s = notifiedStatuses(world.notifications, Number(failed.id));
        return s.length >= 2 && s;
      });
      assert.deepEqual(statuses, ['0', '2']);
    } finally {
      await db.updateTable('coins').set({ min_deposit: '0' }).where('id', '=', coinId('ETH')).execute();
    }
  });

  it('credits the collection account of a merchant with auto-collection, and a coin the merchant has not enabled', async () => {
    const db = world.t.ctx.store.db;
    // Auto-collection on, and only ETH enabled: a USDT transfer to the same address is still its money.
    const m = await world.t.addMerchant({ name: 'Auto Collect', autoCollect: true, symbols: ['ETH'] });
    const uid = Number((await m.client.registerEmail({ email: `auto-${Date.now()}@example.test` })).uid);
    const address = (await m.client.getDepositAddress({ uid, symbol: 'ETH' })).address.toLowerCase();
    const ethTx = await world.sendEth(address, '2');
    const usdtTx = await world.sendUsdt(address, 5_000_000n);
    await world.mine(1);
    const eth = await untilDeposit(world, ethTx, 'the ETH deposit credited', (d) => d.status === DepositStatus.Succeeded);
    const usdt = await untilDeposit(world, usdtTx, 'the USDT deposit credited', (d) => d.status === DepositStatus.Succeeded);
    assert.equal(eth.to_collection, 1);
    assert.equal(usdt.to_collection, 1);
    const mid = Number(m.merchant.id);
    assert.equal((await readBalance(db, collectionAccount(mid, coinId('ETH')))).normal, parseEther('2'));
    assert.equal((await readBalance(db, collectionAccount(mid, coinId('USDT')))).normal, 5_000_000n);
    assert.equal((await readBalance(db, userAccount(mid, uid, coinId('ETH')))).normal, 0n);
  });

  it('records refills of the hot and fee wallets as treasury receipts: no deposit, no notification', async () => {
    const db = world.t.ctx.store.db;
    // The world funded both wallets from dev account 0 before the scanner (start block 0) read those blocks.
    const eth = () => readBalance(db, treasuryAccount(coinId('ETH')));
    await world.until('the start-up refills journaled', async () => (await eth()).normal === parseEther(hotWalletEth) + parseEther(feeWalletEth));
    assert.equal((await readBalance(db, treasuryAccount(coinId('USDT')))).normal, hotWalletUsdt);

    const txid = await world.sendEth(world.chain.feeAddress, '3');
    await world.until('the refill journaled', async () => (await eth()).normal === parseEther(hotWalletEth) + parseEther(feeWalletEth) + parseEther('3'));
    const receipt = await db.selectFrom('treasury_receipts').selectAll().where('txid', '=', txid.toLowerCase()).execute();
    assert.equal(receipt.length, 1);
    assert.equal(receipt[0]!.state, 'credited');
    assert.deepEqual(await depositsOfTx(db, txid), []);
    // Earlier tests' notifications may still be arriving: look for this transaction's, in the outbox.
    const outbox = await db.selectFrom('notifications').select('payload').execute();
    assert.deepEqual(outbox.filter((r) => (JSON.parse(r.payload) as { txid?: string }).txid === txid.toLowerCase()), [], 'no notification written for a refill');
  });

  it('a backfill over every scanned block changes nothing: no duplicate deposit, receipt, journal or notification', async () => {
    const db = world.t.ctx.store.db;
    const count = async (table: 'deposits' | 'treasury_receipts' | 'journals' | 'notifications') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = { deposits: await count('deposits'), receipts: await count('treasury_receipts'), journals: await count('journals'), notifications: await count('notifications') };
    const chainEth = await readBalance(db, chainAccount(coinId('ETH')));
    const head = await world.chain.reader.headNumber();
    const lines: string[] = [];
    const summary = await backfill(world.t.ctx, world.chain, { from: 0, to: head }, { stderr: { write: (s: string) => lines.push(s) } as never });
    assert.ok(summary.scanned_to >= head);
    assert.ok(lines.some((l) => /blocks\/s/.test(l)), 'progress printed');
    assert.deepEqual(
      { deposits: await count('deposits'), receipts: await count('treasury_receipts'), journals: await count('journals'), notifications: await count('notifications') },
      before,
    );
    assert.deepEqual(await readBalance(db, chainAccount(coinId('ETH'))), chainEth);
  });

  it('openwaas chain status and chain backfill: position, progress, and refusals', async () => {
    const status = await cliHere(['chain', 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const [line] = JSON.parse(status.stdout) as Array<{ chain: string; head: number; scanned: number; behind: number; deposits_confirming: number }>;
    assert.equal(line!.chain, world.chain.id);
    assert.ok(line!.head >= line!.scanned && line!.scanned > 0, JSON.stringify(line));
    assert.equal(line!.deposits_confirming, 0);

    const text = await cliHere(['chain', 'status']);
    assert.match(text.stdout, /behind/);

    const head = await world.chain.reader.headNumber();
    const ahead = await cliHere(['chain', 'backfill', '--chain', world.chain.id, '--from', String(head + 100)]);
    assert.equal(ahead.code, 1);
    assert.match(ahead.stderr, /above the head/);
    const unknown = await cliHere(['chain', 'backfill', '--chain', 'evm:1', '--from', '0']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not configured/);
    const usage = await cliHere(['chain', 'backfill', '--from', '0']);
    assert.equal(usage.code, 2);

    const run = await cliProcess(['chain', 'backfill', '--chain', world.chain.id, '--from', '1', '--to', String(head), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { from: number; scanned_to: number; scanned_by: string };
    assert.equal(summary.from, 1);
    assert.ok(summary.scanned_to >= head);
    // The running service holds the scanner: the command followed it, printing progress.
    assert.equal(summary.scanned_by, 'service');
    assert.match(run.stderr, /block \d+\/\d+ \(\d+ %\), \d+ blocks\/s, ETA/);
  });

  // Last in this file: the coin it adds stays configured.
  it('a token whose contract does not answer is that token unreadable in chain status, not the node down', async () => {
    await upsertCoin(world.t.ctx.store.db, { symbol: 'NOCODE', name: 'No code', chain: world.chain.id, contractAddress: '0x000000000000000000000000000000000000dead', decimals: 6, confirmations: 2, nowMs: Date.now() });
    const status = await cliHere(['chain', 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const [line] = JSON.parse(status.stdout) as Array<{ node_error?: string; hot_wallet: { balances: Record<string, string>; unreadable?: Record<string, string> } }>;
    assert.equal(line!.node_error, undefined, JSON.stringify(line));
    assert.ok(line!.hot_wallet.balances['ETH'], 'the other balances are read');
    assert.match(line!.hot_wallet.unreadable?.['NOCODE'] ?? '', /balanceOf/);
  });
});
