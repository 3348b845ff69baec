/** KYT screening rules: configuration, the built-in deny list and amount limits, the deposit circuit breaker. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DepositStatus } from '@openwaas/sdk';
import { ConfigError, loadConfig } from '../src/config/config.js';
import type { ServiceContext } from '../src/context.js';
import { screenDeposit, screenWithdrawal } from '../src/modules/kyt/index.js';
import type { WithdrawalRecord } from '../src/modules/withdrawals/index.js';
import { addMerchant, addUser, createMoneyWorld, units, type MoneyWorld } from './money-fixtures.js';
import { eachDatabase } from './support/service.js';
import { insertDeposit, withKyt } from './support/kyt.js';

const denied = '0x' + 'dE'.repeat(20);
const clean = '0x' + '1'.repeat(40);

describe('kyt configuration', () => {
  test('OPENWAAS_KYT is JSON; defaults; denied addresses are lower-cased', () => {
    const config = loadConfig({}, { OPENWAAS_KYT: JSON.stringify({ provider: 'builtin', denyAddresses: [denied], reviewAbove: { USDT: '1000' } }) });
    assert.equal(config.kyt.provider, 'builtin');
    assert.deepEqual(config.kyt.denyAddresses, [denied.toLowerCase()]);
    assert.equal(config.kyt.timeoutMs, 5_000);
    assert.equal(loadConfig({}, {}).kyt.provider, 'none');
  });

  test('bad settings are refused with the setting named; the token never appears in the message', () => {
    const bad = (kyt: unknown, pattern: RegExp) =>
      assert.throws(
        () => loadConfig({}, { OPENWAAS_KYT: JSON.stringify(kyt) }),
        (e: unknown) => e instanceof ConfigError && pattern.test(e.message) && !e.message.includes('s3cret'),
      );
    bad({ provider: 'http', token: 's3cret' }, /kyt\.url: is required/);
    bad({ provider: 'http', url: 'ftp://x.test/', token: 's3cret' }, /kyt\.url/);
    bad({ provider: 'builtin', reviewAbove: { USDT: '-1' } }, /kyt\.reviewAbove\.USDT/);
    bad({ provider: 'builtin', breaker: { maxCount: 3 } }, /kyt\.breaker\.windowMs/);
    bad({ provider: 'builtin', denyAdresses: [denied] }, /denyAdresses/);
    bad({ provider: 'sometimes' }, /kyt\.provider/);
    assert.throws(() => loadConfig({}, { OPENWAAS_KYT: '{not json' }), /OPENWAAS_KYT is not JSON/);
  });
});

eachDatabase('kyt screening', (kind) => {
  let world: MoneyWorld;
  let uid: number;
  let t0: number;

  before(async () => {
    world = await createMoneyWorld(kind);
    uid = await addUser(world, world.merchant, 'screened@example.com');
    t0 = world.clock.nowMs();
  });
  after(() => world?.close());

  const deposit = (ctx: ServiceContext, input: { amount: string; from?: string; at?: number; symbol?: 'USDT' | 'ETH'; merchant?: MoneyWorld['merchant']; user?: number; status?: number; withdrawalId?: number }) => {
    const coin = input.symbol === 'ETH' ? world.eth : world.usdt;
    return insertDeposit(ctx, {
      merchant: input.merchant ?? world.merchant,
      uid: input.user ?? uid,
      coin,
      amount: units(input.amount, coin.decimals),
      ...(input.from !== undefined ? { from: input.from } : {}),
      createdAt: input.at ?? t0,
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.withdrawalId !== undefined ? { withdrawalId: input.withdrawalId } : {}),
    });
  };
  /** Another merchant (its confirmation endpoint closes with the world). */
  const newMerchant = async (name: string) => {
    const { merchant, confirm } = await addMerchant({ ...world, coins: [world.eth, world.usdt] }, { name });
    world.onClose(() => confirm.close());
    return merchant;
  };
  const withdrawal = (to: string, amount: string): WithdrawalRecord => ({
    id: 1, merchant_id: Number(world.merchant.id), request_id: 'r', uid, coin_id: Number(world.usdt.id), symbol: 'USDT',
    amount: units(amount, 6), withdraw_fee: 1000000n, withdraw_fee_symbol: 'USDT', fee_symbol: 'ETH', real_fee: 0n,
    address_from: '', address_to: to, txid: '', confirmations: 0, saas_status: 1, company_status: 1, status: 7, withdraw_type: 1,
    review_reason: '', kyt_reason: '', approvals_required: 1, policy_decision: '', to_canonical: to, created_at: t0, updated_at: t0,
  });

  test('without a provider everything passes, whatever the rules say', async () => {
    assert.equal(world.ctx.kyt, null);
    const d = await deposit(world.ctx, { amount: '5', from: denied });
    assert.deepEqual(await screenDeposit(world.ctx, d, world.usdt), { outcome: 'pass' });
    assert.deepEqual(await screenWithdrawal(world.ctx, withdrawal(denied, '5'), world.usdt), { outcome: 'pass' });
  });

  test('builtin: a denied counterparty goes to review (any case, memo form), others pass', async () => {
    const ctx = withKyt(world.ctx, { provider: 'builtin', denyAddresses: [denied.toUpperCase().replace('0X', '0x')] });
    const fromDenied = await deposit(ctx, { amount: '5', from: denied.toLowerCase() });
    const verdict = await screenDeposit(ctx, fromDenied, world.usdt);
    assert.equal(verdict.outcome, 'review');
    assert.match((verdict as { reason: string }).reason, new RegExp(`deposit from denied address ${denied.toLowerCase()}`));
    const fromClean = await deposit(ctx, { amount: '5', from: clean });
    assert.deepEqual(await screenDeposit(ctx, fromClean, world.usdt), { outcome: 'pass' });

    assert.equal((await screenWithdrawal(ctx, withdrawal(denied, '20'), world.usdt)).outcome, 'review');
    assert.equal((await screenWithdrawal(ctx, withdrawal(`${denied}_12345`, '20'), world.usdt)).outcome, 'review');
    assert.deepEqual(await screenWithdrawal(ctx, withdrawal(clean, '20'), world.usdt), { outcome: 'pass' });
  });

  test('builtin: amounts above reviewAbove go to review, the limit itself passes; other coins are not limited', async () => {
    const ctx = withKyt(world.ctx, { provider: 'builtin', reviewAbove: { USDT: '1000.5' } });
    assert.deepEqual(await screenDeposit(ctx, await deposit(ctx, { amount: '1000.5' }), world.usdt), { outcome: 'pass' });
    const above = await screenDeposit(ctx, await deposit(ctx, { amount: '1000.500001' }), world.usdt);
    assert.equal(above.outcome, 'review');
    assert.match((above as { reason: string }).reason, /1000\.500001 USDT is above the review limit 1000\.5/);
    assert.deepEqual(await screenDeposit(ctx, await deposit(ctx, { amount: '5000', symbol: 'ETH' }), world.eth), { outcome: 'pass' });
    assert.equal((await screenWithdrawal(ctx, withdrawal(clean, '2000'), world.usdt)).outcome, 'review');
    assert.deepEqual(await screenWithdrawal(ctx, withdrawal(clean, '1000'), world.usdt), { outcome: 'pass' });
  });

  test('breaker: the (maxCount + 1)-th deposit within the window trips, per merchant and coin; outside the window it does not', async () => {
    const merchant = await newMerchant('breaker-count');
    const user = await addUser(world, merchant, 'count@example.com');
    const ctx = withKyt(world.ctx, { provider: 'builtin', breaker: { windowMs: 60_000, maxCount: 3 } });
    const base = t0 + 1_000_000;
    const on = (amount: string, at: number, extra: { symbol?: 'ETH'; status?: number; withdrawalId?: number } = {}) => deposit(ctx, { amount, at, merchant, user, ...extra });

    // Reorganised-away deposits, internal ones and another coin's do not count.
    await on('1', base, { status: DepositStatus.Failed });
    await on('1', base, { withdrawalId: 999_999 });
    await on('1', base, { symbol: 'ETH' });
    const first = [await on('1', base), await on('1', base + 10_000), await on('1', base + 20_000)];
    for (const d of first) assert.deepEqual(await screenDeposit(ctx, d, world.usdt), { outcome: 'pass' }, `deposit ${d.id}`);
    const fourth = await on('1', base + 59_999);
    const tripped = await screenDeposit(ctx, fourth, world.usdt);
    assert.equal(tripped.outcome, 'breaker');
    assert.match((tripped as { reason: string }).reason, /4 USDT deposits within 60 s \(limit 3\)/);
    // Screening again (the KYT loop later) agrees: the window is anchored at the deposit.
    world.clock.ms += 3_600_000;
    assert.equal((await screenDeposit(ctx, fourth, world.usdt)).outcome, 'breaker');
    world.clock.ms -= 3_600_000;
    // One minute after the first deposit it has left the window: 3 in (base, base + 60000].
    assert.deepEqual(await screenDeposit(ctx, await on('1', base + 60_000), world.usdt), { outcome: 'breaker', reason: (tripped as { reason: string }).reason });
    assert.deepEqual(await screenDeposit(ctx, await on('1', base + 200_000), world.usdt), { outcome: 'pass' });
    // The demo merchant's deposits in the same window are its own business.
    assert.deepEqual(await screenDeposit(ctx, await deposit(ctx, { amount: '1', at: base + 59_999 }), world.usdt), { outcome: 'pass' });
  });

  test('breaker: a window total above maxAmount trips; at the limit it does not', async () => {
    const merchant = await newMerchant('breaker-amount');
    const user = await addUser(world, merchant, 'amount@example.com');
    const ctx = withKyt(world.ctx, { provider: 'builtin', breaker: { windowMs: 3_600_000, maxAmount: { USDT: '100' } } });
    const base = t0 + 5_000_000;
    const on = (amount: string, at: number) => deposit(ctx, { amount, at, merchant, user });
    assert.deepEqual(await screenDeposit(ctx, await on('60', base), world.usdt), { outcome: 'pass' });
    assert.deepEqual(await screenDeposit(ctx, await on('40', base + 1_000), world.usdt), { outcome: 'pass' });
    const over = await screenDeposit(ctx, await on('0.000001', base + 2_000), world.usdt);
    assert.equal(over.outcome, 'breaker');
    assert.match((over as { reason: string }).reason, /100\.000001 USDT deposited within 60 min \(limit 100\)/);
    // A single deposit above the limit trips on its own, long after the others.
    assert.equal((await screenDeposit(ctx, await on('150', base + 10_000_000), world.usdt)).outcome, 'breaker');
    assert.deepEqual(await screenDeposit(ctx, await on('99', base + 20_000_000), world.usdt), { outcome: 'pass' });
  });

  test('the breaker applies before the provider rules; withdrawals never trip it', async () => {
    const merchant = await newMerchant('breaker-first');
    const user = await addUser(world, merchant, 'first@example.com');
    const ctx = withKyt(world.ctx, { provider: 'builtin', denyAddresses: [denied], breaker: { windowMs: 60_000, maxCount: 1 } });
    const base = t0 + 9_000_000;
    await deposit(ctx, { amount: '1', at: base, merchant, user });
    const second = await deposit(ctx, { amount: '1', at: base + 1, merchant, user, from: denied });
    assert.equal((await screenDeposit(ctx, second, world.usdt)).outcome, 'breaker');
    assert.equal((await screenWithdrawal(ctx, withdrawal(denied, '20'), world.usdt)).outcome, 'review');
  });
});
