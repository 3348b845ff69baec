/**
 * The console's overview (GET /overview) and the wallets' low-balance thresholds, through the
 * operator API on its own listener, on both databases, with a chain of the in-memory family and
 * a test clock: the chain status and the overview show each wallet balance with its threshold
 * and `low`; the chain worker raises a wallet-low alert below a threshold and resolves it once
 * the balance is back; the node URL is shown without its credentials; the daily figures of the
 * last 30 UTC days are exact sums (amounts a float would round) and counts, every day present;
 * the queues count what waits and name the route that lists it.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import type { ChainHandle } from '../src/chains/registry.js';
import type { ChainConfig } from '../src/config/config.js';
import { loadConfig } from '../src/config/config.js';
import { redactedUrl as redactRpcUrl } from '../src/http/redacted-url.js';
import { upsertCoin, type CoinRecord as Coin } from '../src/modules/coins/index.js';
import { registerMemoryChain, type MemoryChainNode } from './support/memory-chain.js';
import { cliRunners } from './support/cli.js';
import { operatorCall } from './support/operators.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';
import { chainTestMnemonic } from './support/chain-world.js';

const chainId = 'mem:overview';
/** A node URL as a provider hands it out: credentials in the user info, a key in the path and in the query. */
const providerUrl = 'memory://ops:hunter2@overview/v3/abcdefghijklmnopqrstuvwxyz012345/short?apikey=topsecret';
const secrets = ['hunter2', 'topsecret', 'abcdefghijklmnopqrstuvwxyz012345'];

const dayMs = 86_400_000;
/** The start of today (UTC); the test clock stands one second after it (the CLI, on the real clock, then finds the tokens valid). */
const today = Math.floor(Date.now() / dayMs) * dayMs;
const now = today + 1_000;
/** The start of UTC day `n` days before today. */
const daysAgo = (n: number) => today - n * dayMs;
const dayName = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('node URLs shown to operators', () => {
  it('hide user info, query and path segments longer than 20 characters', () => {
    assert.equal(redactRpcUrl('https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef'), 'https://mainnet.infura.io/v3/***');
    assert.equal(redactRpcUrl('https://user:pass@node.example:8545/rpc?key=abc'), 'https://user:***@node.example:8545/rpc?***');
    assert.equal(redactRpcUrl('http://127.0.0.1:8545'), 'http://127.0.0.1:8545/');
    assert.equal(redactRpcUrl('https://eth.example/a-segment-of-exactly-20/b'.replace('a-segment-of-exactly-20', 'x'.repeat(20))), `https://eth.example/${'x'.repeat(20)}/b`);
    assert.equal(redactRpcUrl('http://[not a url'), 'http://…');
  });
});

describe('wallet threshold settings', () => {
  const base = { id: 'evm:1', rpcUrl: 'http://127.0.0.1:1' };
  it('accept decimal amounts per symbol and for the fee wallet, and refuse anything else', () => {
    const config = loadConfig({}, { DATABASE_URL: 'sqlite::memory:', OPENWAAS_CHAINS: JSON.stringify([{ ...base, hotWalletLow: { ETH: '2.5', USDT: '5000' }, feeWalletLow: '0.5' }]) });
    assert.deepEqual(config.chains[0]!.hotWalletLow, { ETH: '2.5', USDT: '5000' });
    assert.equal(config.chains[0]!.feeWalletLow, '0.5');
    assert.equal(config.chains[0]!.walletCheckIntervalMs, 60_000);
    const noThresholds = loadConfig({}, { DATABASE_URL: 'sqlite::memory:', OPENWAAS_CHAINS: JSON.stringify([base]) });
    assert.deepEqual(noThresholds.chains[0]!.hotWalletLow, {});
    assert.equal(noThresholds.chains[0]!.feeWalletLow, undefined);
    for (const bad of [{ hotWalletLow: { ETH: '-1' } }, { hotWalletLow: { ETH: 2 } }, { feeWalletLow: '1e3' }, { feeWalletLow: '' }, { walletCheckIntervalMs: 0 }]) {
      assert.throws(() => loadConfig({}, { DATABASE_URL: 'sqlite::memory:', OPENWAAS_CHAINS: JSON.stringify([{ ...base, ...bad }]) }), /invalid configuration: chains\.0\./, JSON.stringify(bad));
    }
  });
});

eachDatabase('operator overview', (kind) => {
  let t: TestService;
  let node: MemoryChainNode;
  let chain: ChainHandle;
  let unregister: () => void;
  let chainConfig: Partial<ChainConfig>;
  const units = (n: bigint) => n * 10n ** 6n;

  before(async () => {
    const registered = registerMemoryChain(chainId, { rpcUrl: providerUrl });
    node = registered.node;
    unregister = registered.unregister;
    chainConfig = {
      id: chainId,
      rpcUrl: providerUrl,
      pollIntervalMs: 50,
      startBlock: 0,
      hotWalletLow: { MEM: '10' },
      feeWalletLow: '5',
      walletCheckIntervalMs: 50,
    };
    t = await startTestService({
      kind,
      clock: { nowMs: () => now },
      config: { operatorApi: true, workers: true, hdMnemonic: chainTestMnemonic, sweepThresholds: { MEM: '1000000' }, chains: [chainConfig as ChainConfig] },
    });
    chain = t.ctx.chains.get(chainId)!;
    await upsertCoin(t.ctx.store.db, { symbol: 'MEM', name: 'Memory Coin', chain: chainId, decimals: 6, confirmations: 2, minWithdraw: '1', maxWithdraw: '1000', withdrawFee: '0.5', nowMs: now });
    // Both wallets below their thresholds: 3 < 10 (hot), 1.5 < 5 (fee).
    node.fund(chain.hotAddress, units(3n));
    node.fund(chain.feeAddress, units(1n) + 500_000n);
  });
  after(async () => {
    await t?.close();
    unregister?.();
  });

  const get = async (path: string) => {
    const res = await operatorCall(t, 'GET', path);
    assert.equal(res.status, 200, res.text);
    for (const secret of secrets) assert.ok(!res.text.includes(secret), `${path} shows no part of the node's credentials (${secret})`);
    return res.json;
  };
  const until = async <T,>(what: string, check: () => Promise<T | undefined | false>): Promise<T> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const openWalletAlerts = async () =>
    ((await get('/alerts')).alerts as Array<{ kind: string; key: string; message: string }>).filter((a) => a.kind === 'wallet-low').map((a) => a.key).sort();

  it('the chain status shows each wallet balance with its threshold and low, and the node URL without credentials', async () => {
    const { chains } = await get('/chains');
    const status = chains.find((c: { chain: string }) => c.chain === chainId);
    assert.equal(status.rpc_url, 'memory://ops:***@overview/v3/***/short?***');
    assert.deepEqual(status.hot_wallet.levels.MEM, { balance: '3', threshold: '10', low: true });
    assert.equal(status.hot_wallet.balances.MEM, '3');
    assert.equal(status.hot_wallet.low, true);
    assert.deepEqual(status.fee_wallet.levels.MEM, { balance: '1.5', threshold: '5', low: true });
    assert.equal(status.fee_wallet.low, true);

    // The CLI shows the same status; its table lists the low balances.
    const env = {
      DATABASE_URL: t.database.url,
      LOG_LEVEL: 'silent',
      OPENWAAS_INSECURE_DEV_KEYS: '1',
      OPENWAAS_HD_MNEMONIC: chainTestMnemonic,
      OPENWAAS_CHAINS: JSON.stringify([chainConfig]),
      OPENWAAS_OPERATOR_TOKEN: t.operatorToken,
    };
    const { cliHere } = cliRunners(() => env, () => process.cwd());
    const json = await cliHere(['chain', 'status', '--json']);
    assert.equal(json.code, 0, json.stderr);
    for (const secret of secrets) assert.ok(!json.stdout.includes(secret), `chain status shows no part of the node's credentials (${secret})`);
    const [cliStatus] = JSON.parse(json.stdout);
    assert.equal(cliStatus.rpc_url, status.rpc_url);
    assert.deepEqual(cliStatus.hot_wallet.levels, status.hot_wallet.levels);
    const text = await cliHere(['chain', 'status']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /low_balances/);
    assert.match(text.stdout, /hot 3 MEM < 10; fee 1\.5 MEM < 5/);
  });

  it('the chain worker raises a wallet-low alert per wallet below its threshold, and resolves it once the balance is back', async () => {
    const hotKey = `wallet-low:${chainId}:hot:MEM`;
    const feeKey = `wallet-low:${chainId}:fee:MEM`;
    await until('both wallet-low alerts', async () => JSON.stringify(await openWalletAlerts()) === JSON.stringify([feeKey, hotKey]));
    const hot = ((await get('/alerts')).alerts as Array<{ key: string; message: string }>).find((a) => a.key === hotKey)!;
    assert.match(hot.message, /holds 3 MEM, below its low threshold of 10 MEM/);

    // Exactly the threshold is not below it.
    node.fund(chain.hotAddress, units(7n));
    await until('the hot wallet alert resolved', async () => JSON.stringify(await openWalletAlerts()) === JSON.stringify([feeKey]));
    const { chains } = await get('/chains');
    assert.deepEqual(chains.find((c: { chain: string }) => c.chain === chainId).hot_wallet.levels.MEM, { balance: '10', threshold: '10', low: false });

    node.fund(chain.feeAddress, units(4n));
    await until('the fee wallet alert resolved', async () => (await openWalletAlerts()).length === 0);
    const resolved = ((await get('/alerts?all=1')).alerts as Array<{ key: string; resolved_at: number | null }>).filter((a) => a.key === hotKey || a.key === feeKey);
    assert.equal(resolved.length, 2);
    assert.ok(resolved.every((a) => a.resolved_at === now));
  });

  it('GET /overview: chains, alerts, queues with their routes, and 30 days of exact daily figures with no day missing', async () => {
    const db = t.ctx.store.db;
    const { ETH, USDT } = t.coins;
    const merchantId = Number(t.merchant.id);
    let seq = 0;
    const deposit = (coin: Coin, amount: bigint, atMs: number, status: number = DepositStatus.Succeeded) =>
      db
        .insertInto('deposits')
        .values({ merchant_id: merchantId, uid: 1, coin_id: Number(coin.id), symbol: coin.symbol, amount: amount.toString(), address_from: '', address_to: '0xabc', txid: `0xd${++seq}`, tx_index: '0', confirmations: 2, status, to_collection: 0, withdrawal_id: null, created_at: atMs - 60_000, updated_at: atMs })
        .execute();
    const withdrawal = (coin: Coin, amount: bigint, atMs: number, status: number = WithdrawStatus.Succeeded) =>
      db
        .insertInto('withdrawals')
        .values({
          merchant_id: merchantId, request_id: `ovw-${++seq}`, uid: 1, coin_id: Number(coin.id), symbol: coin.symbol, amount: amount.toString(), withdraw_fee: '0', withdraw_fee_symbol: coin.symbol, fee_symbol: coin.symbol,
          real_fee: '0', address_from: '', address_to: '0xdef', txid: '', confirmations: 0, review_reason: '', saas_status: 1, company_status: 1, status, withdraw_type: 1, created_at: atMs - 60_000, updated_at: atMs,
        })
        .execute();
    const eth = (tenths: bigint) => tenths * 10n ** 17n;
    const twoTo60 = 2n ** 60n;

    // Credited deposits: 0.1 + 0.2 ETH two days ago; 2^60 wei + 1 wei today; 0.000001 USDT at the window's first instant.
    await deposit(ETH, eth(1n), daysAgo(2) + 3_600_000);
    await deposit(ETH, eth(2n), daysAgo(2) + 7_200_000);
    await deposit(ETH, twoTo60, today + 500);
    await deposit(ETH, 1n, now);
    await deposit(USDT, 1n, daysAgo(29));
    // Not counted: before the window, after now (tomorrow), not credited.
    await deposit(ETH, eth(5n), daysAgo(29) - 1);
    await deposit(ETH, eth(5n), today + dayMs);
    await deposit(ETH, eth(5n), today + 1_000, DepositStatus.Confirming);
    await deposit(ETH, eth(5n), today + 1_000, DepositStatus.KytManualReview);
    // Paid withdrawals: 2^60 + 1 USDT base units on the window's first day; 0.1 + 0.2 ETH today.
    await withdrawal(USDT, twoTo60, daysAgo(29) + 5);
    await withdrawal(USDT, 1n, daysAgo(29) + dayMs - 1);
    await withdrawal(ETH, eth(1n), today);
    await withdrawal(ETH, eth(2n), now);
    // Not counted: failed, in review, held by KYT, before the window.
    await withdrawal(ETH, eth(9n), today, WithdrawStatus.Failed);
    await withdrawal(ETH, eth(9n), today, WithdrawStatus.Review);
    await withdrawal(ETH, eth(9n), today, WithdrawStatus.KytManualReview);
    await withdrawal(ETH, eth(9n), daysAgo(30));
    // Notifications created yesterday (2 delivered, 1 failed) and today (1 pending); one before the window.
    const notification = (state: 'pending' | 'delivered' | 'failed', createdAt: number) =>
      db
        .insertInto('notifications')
        .values({ merchant_id: merchantId, side: 'deposit', record_id: ++seq, payload: '{}', state, attempts: state === 'pending' ? 0 : 1, next_attempt_at: createdAt, lease_until: 0, last_error: '', created_at: createdAt, delivered_at: state === 'delivered' ? createdAt : null })
        .execute();
    await notification('delivered', daysAgo(1) + 10);
    await notification('delivered', daysAgo(1) + dayMs - 1);
    await notification('failed', daysAgo(1) + 20);
    await notification('pending', today + 30);
    await notification('pending', today + dayMs + 30);
    await notification('failed', daysAgo(30));
    // A change request waiting for a second admin.
    await db
      .insertInto('change_requests')
      .values({ kind: 'coin.upsert', target: '/coins/ETH', change_json: '{}', before_json: null, requested_by_id: 1, requested_by_name: 'test-admin', state: 'pending', result_json: null, error_code: null, error_message: null, decided_by_id: null, decided_by_name: null, reason: null, created_at: now })
      .execute();

    const o = await get('/overview');
    assert.equal(o.at, now);

    // 30 UTC days, oldest first, today last, none missing.
    const days = Array.from({ length: 30 }, (_, i) => dayName(daysAgo(29 - i)));
    assert.deepEqual(o.days, days);
    assert.equal(o.days[29], new Date(now).toISOString().slice(0, 10));
    assert.equal(Date.parse(`${o.days[0]}T00:00:00Z`), today - 29 * dayMs);

    // Every configured coin has every day; figures are exact.
    assert.deepEqual(o.volumes.map((v: { symbol: string }) => v.symbol).sort(), ['ETH', 'MEM', 'OFF', 'TKN', 'USDT']);
    for (const v of o.volumes) assert.deepEqual(v.days.map((d: { day: string }) => d.day), days, `${v.symbol}: a continuous axis`);
    const dayOf = (symbol: string, day: string) => o.volumes.find((v: { symbol: string }) => v.symbol === symbol).days.find((d: { day: string }) => d.day === day);
    const none = { count: 0, amount: '0' };
    assert.deepEqual(dayOf('ETH', dayName(daysAgo(2))), { day: dayName(daysAgo(2)), deposits: { count: 2, amount: '0.3' }, withdrawals: none });
    assert.deepEqual(dayOf('ETH', dayName(today)), { day: dayName(today), deposits: { count: 2, amount: '1.152921504606846977' }, withdrawals: { count: 2, amount: '0.3' } });
    assert.deepEqual(dayOf('USDT', dayName(daysAgo(29))), { day: dayName(daysAgo(29)), deposits: { count: 1, amount: '0.000001' }, withdrawals: { count: 2, amount: '1152921504606.846977' } });
    // Everything else is zero (the rows outside the window or in other states counted nowhere).
    const nonZero = o.volumes.flatMap((v: { symbol: string; days: Array<{ day: string; deposits: { count: number }; withdrawals: { count: number } }> }) =>
      v.days.filter((d) => d.deposits.count > 0 || d.withdrawals.count > 0).map((d) => `${v.symbol} ${d.day}`),
    );
    assert.deepEqual(nonZero.sort(), [`ETH ${dayName(daysAgo(2))}`, `ETH ${dayName(today)}`, `USDT ${dayName(daysAgo(29))}`].sort());
    assert.deepEqual(dayOf('MEM', dayName(today)), { day: dayName(today), deposits: none, withdrawals: none });

    // Notifications per day by state, every day present.
    assert.deepEqual(o.notifications.map((n: { day: string }) => n.day), days);
    assert.deepEqual(o.notifications.find((n: { day: string }) => n.day === dayName(daysAgo(1))), { day: dayName(daysAgo(1)), delivered: 2, failed: 1, pending: 0 });
    assert.deepEqual(o.notifications.find((n: { day: string }) => n.day === dayName(today)), { day: dayName(today), delivered: 0, failed: 0, pending: 1 });
    assert.equal(o.notifications.reduce((s: number, n: { delivered: number; failed: number; pending: number }) => s + n.delivered + n.failed + n.pending, 0), 4);

    // Queues: what waits, and the route (with its query) that lists it.
    assert.deepEqual(o.queues, {
      withdrawals_review: { count: 1, route: 'GET /withdrawals/review', query: {} },
      kyt_deposits: { count: 1, route: 'GET /kyt', query: { side: 'deposit' } },
      kyt_withdrawals: { count: 1, route: 'GET /kyt', query: { side: 'withdrawal' } },
      change_requests_pending: { count: 1, route: 'GET /change-requests', query: { state: 'pending' } },
      notifications_failed: { count: 2, route: 'GET /notifications', query: { state: 'failed' } },
    });
    const review = await get('/withdrawals/review');
    assert.equal(review.withdrawals.length, o.queues.withdrawals_review.count, 'the count is what the linked route lists');
    const held = await get('/kyt?side=deposit');
    assert.equal(held.deposits.length, o.queues.kyt_deposits.count);

    // Alerts: the open count and the newest few (the wallet alerts were resolved by the previous test).
    const openAlerts = (await get('/alerts')).alerts;
    assert.equal(o.alerts.open, openAlerts.length);
    assert.deepEqual(o.alerts.latest, openAlerts.slice(0, 5));
    assert.equal(o.alerts.route, 'GET /alerts');

    // The chain: node, scanner, wallets with thresholds; the URL without credentials.
    const c = o.chains.find((x: { chain: string }) => x.chain === chainId);
    assert.equal(c.rpc_url, 'memory://ops:***@overview/v3/***/short?***');
    assert.deepEqual(c.node, { ok: true, error: null });
    assert.equal(typeof c.head, 'number');
    assert.equal(c.lag, c.head - c.scanned);
    assert.equal(c.last_scanner_error, null);
    assert.deepEqual(c.hot_wallet.levels.MEM, { balance: '10', threshold: '10', low: false });
    assert.deepEqual(c.fee_wallet.levels.MEM, { balance: '5.5', threshold: '5', low: false });
  });

  it('GET /overview needs a token; a viewer may read it', async () => {
    assert.equal((await operatorCall(t, 'GET', '/overview', { token: null })).status, 401);
    const viewer = await t.operatorTokenFor(['viewer']);
    const res = await operatorCall(t, 'GET', '/overview', { token: viewer });
    assert.equal(res.status, 200, res.text);
  });
});
