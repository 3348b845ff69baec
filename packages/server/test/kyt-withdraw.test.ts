/**
 * Withdrawals with KYT on, end to end: SDK request → status 7 → the KYT loop → 1 or 8; the
 * operator API releases, rejects or cancels held withdrawals and deposits.
 */
import { WakeRelay } from '../src/context.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import { kytConfigSchema } from '../src/config/kyt-config.js';
import { auditLedger } from '../src/modules/ledger/index.js';
import { suspenseAccount } from '../src/modules/chain-sends/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { kytTick } from '../src/workers/kyt-worker.js';
import { startConfirmEndpoint, type ConfirmEndpoint } from './money-fixtures.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';
import { insertHeldDeposit, notifiedStatuses, statusOf } from './support/kyt.js';

const denied = '0x' + 'dd'.repeat(20);
const clean = '0x' + '3'.repeat(40);
const never = new AbortController().signal;
let seq = 0;
const nextId = () => `kyt-${++seq}-${Date.now()}`;

eachDatabase('kyt withdrawals and the operator API', (kind) => {
  let t: TestService;
  let confirm: ConfirmEndpoint;
  const woken: Array<string | undefined> = [];

  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true, kyt: kytConfigSchema.parse({ provider: 'builtin', denyAddresses: [denied] }) } });
    confirm = await startConfirmEndpoint({ walletPublicKey: t.walletPublicKeyPem, privateKey: t.merchantPrivateKeyPem });
    await t.ctx.store.db.updateTable('merchants').set({ confirm_url: confirm.url }).where('id', '=', Number(t.merchant.id)).execute();
    (t.ctx.chainWorkers as WakeRelay<[chain?: string]>).connect((chain) => void woken.push(chain));
  });
  after(async () => {
    await confirm?.close();
    await t?.close();
  });

  async function call(method: 'GET' | 'POST', path: string, body?: unknown, auth = t.operatorToken): Promise<{ status: number; json: any }> {
    const headers: Record<string, string> = { authorization: `Bearer ${auth}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${t.operatorUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }
  const newUser = async () => Number((await t.client.registerEmail({ email: `${nextId()}@example.com` })).uid);
  const eth = async (uid: number) => {
    const b = await t.client.getByUidAndSymbol({ uid, symbol: 'ETH' });
    return { normal: b.normal_balance, lock: b.lock_balance };
  };
  const withdraw = async (uid: number, to: string, amount: string) => Number((await t.client.withdraw({ request_id: nextId(), from_uid: uid, to_address: to, amount, symbol: 'ETH' })).id);
  const assertLedgerClean = async () => assert.deepEqual((await auditLedger(t.ctx.store.db)).findings, []);

  test('an approved on-chain withdrawal waits at 7; screening passes it to 1 and wakes the chain worker', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '3', uid });
    const r = await t.client.withdraw({ request_id: nextId(), from_uid: uid, to_address: clean, amount: '1', symbol: 'ETH' });
    assert.equal(r.status, WithdrawStatus.AwaitingKyt);
    assert.deepEqual(await eth(uid), { normal: '2', lock: '1' });
    woken.length = 0;
    await kytTick(t.ctx, never);
    assert.equal(await statusOf(t.ctx, 'withdrawals', Number(r.id)), WithdrawStatus.Paying);
    assert.deepEqual(woken, ['evm:31337']);
    assert.deepEqual(await notifiedStatuses(t.ctx, 'withdraw', Number(r.id)), ['7', '1']);
    assert.deepEqual(await eth(uid), { normal: '2', lock: '1' }, 'still locked: the chain worker pays it');
  });

  test('a withdrawal approved by both auditors also goes through screening; an internal one is never screened', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '30', uid });
    const big = await withdraw(uid, clean, '20'); // above auto_approve_max (10): audit first
    assert.equal(await statusOf(t.ctx, 'withdrawals', big), WithdrawStatus.Review);
    assert.equal((await call('POST', `/withdrawals/${big}/approve`, { by: 'saas' })).status, 200);
    const approved = await call('POST', `/withdrawals/${big}/approve`, { by: 'company' });
    assert.equal(approved.json.status, WithdrawStatus.AwaitingKyt);

    const receiver = await newUser();
    const { address } = await t.client.getDepositAddress({ uid: receiver, symbol: 'ETH' });
    const internal = await t.client.withdraw({ request_id: nextId(), from_uid: uid, to_address: address, amount: '2', symbol: 'ETH' });
    assert.deepEqual(internal, { id: internal.id, status: WithdrawStatus.Succeeded, withdraw_type: 2 });
    await assertLedgerClean();
  });

  test('a risky withdrawal goes to 8 with its reason; operators release it (→ 1) or reject it (→ 2, funds back)', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '10', uid });
    const risky = await withdraw(uid, denied, '2');
    const alsoRisky = await withdraw(uid, denied, '3');
    await kytTick(t.ctx, never);
    const listed = await call('GET', '/kyt?side=withdrawal');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.json.deposits, []);
    const row = listed.json.withdrawals.find((w: { id: number }) => w.id === risky);
    assert.equal(row.status, WithdrawStatus.KytManualReview);
    assert.match(row.kyt_reason, /withdraw to denied address/);
    assert.equal(row.app_id, t.appId);
    assert.deepEqual(await eth(uid), { normal: '5', lock: '5' });

    woken.length = 0;
    const released = await call('POST', `/kyt/withdrawals/${risky}/release`);
    assert.equal(released.status, 200);
    assert.equal(released.json.status, WithdrawStatus.Paying);
    assert.match(released.json.kyt_reason, /released by operator-api$/);
    assert.deepEqual(woken, ['evm:31337']);

    const rejected = await call('POST', `/kyt/withdrawals/${alsoRisky}/reject`, { reason: 'sanctioned', by: 'bob' });
    assert.equal(rejected.status, 200);
    assert.equal(rejected.json.status, WithdrawStatus.Rejected);
    assert.equal(rejected.json.saas_status, 2);
    assert.match(rejected.json.review_reason, /KYT: rejected by bob: sanctioned/);
    assert.deepEqual(await eth(uid), { normal: '8', lock: '2' });
    assert.deepEqual(await notifiedStatuses(t.ctx, 'withdraw', risky), ['7', '8', '1']);
    assert.deepEqual(await notifiedStatuses(t.ctx, 'withdraw', alsoRisky), ['7', '8', '2']);

    const again = await call('POST', `/kyt/withdrawals/${risky}/reject`, { reason: 'too late' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error, 'conflict');
    assert.equal((await call('POST', '/kyt/withdrawals/999999/release')).status, 404);
    assert.equal((await call('POST', `/kyt/withdrawals/${risky}/reject`, {})).status, 400, 'reason is required');
    assert.equal((await call('POST', `/kyt/withdrawals/${risky}/reject`, { reason: ' ' })).json.error, 'invalid');
    assert.equal((await call('GET', '/kyt', undefined, 'wrong')).status, 401);
    assert.equal((await call('GET', '/kyt?after_id=3')).status, 400, 'after_id needs side');
    await assertLedgerClean();
  });

  test('withdrawals held at 7 or 8 can be cancelled (nothing was signed): funds back, status 6', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '5', uid });
    const waiting = await withdraw(uid, clean, '1');
    const reviewed = await withdraw(uid, denied, '1');
    // Screen only the second: the first stays at 7.
    await t.ctx.store.db.updateTable('withdrawals').set({ status: WithdrawStatus.KytManualReview, kyt_reason: 'test' }).where('id', '=', reviewed).execute();
    for (const id of [waiting, reviewed]) {
      const cancelled = await call('POST', `/withdrawals/${id}/cancel`);
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.json));
      assert.equal(cancelled.json.status, WithdrawStatus.Cancelled);
    }
    assert.deepEqual(await eth(uid), { normal: '5', lock: '0' });
    await kytTick(t.ctx, never);
    assert.equal(await statusOf(t.ctx, 'withdrawals', waiting), WithdrawStatus.Cancelled, 'screening leaves a cancelled withdrawal alone');
    await assertLedgerClean();
  });

  test('concurrent release and reject of one withdrawal: exactly one wins, funds move once', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '40', uid });
    const ids = [await withdraw(uid, denied, '1'), await withdraw(uid, denied, '1'), await withdraw(uid, denied, '1'), await withdraw(uid, denied, '1')];
    await kytTick(t.ctx, never);
    for (const id of ids) {
      const replies = await Promise.all([
        call('POST', `/kyt/withdrawals/${id}/release`),
        call('POST', `/kyt/withdrawals/${id}/reject`, { reason: 'race' }),
        call('POST', `/kyt/withdrawals/${id}/release`),
        call('POST', `/kyt/withdrawals/${id}/reject`, { reason: 'race again' }),
      ]);
      assert.deepEqual(replies.map((r) => r.status).filter((s) => s === 200).length, 1, JSON.stringify(replies.map((r) => r.json)));
      assert.ok(replies.every((r) => r.status === 200 || r.status === 409));
      assert.equal((await notifiedStatuses(t.ctx, 'withdraw', id)).length, 3);
    }
    const paying = (await Promise.all(ids.map((id) => statusOf(t.ctx, 'withdrawals', id)))).filter((s) => s === WithdrawStatus.Paying).length;
    const bal = await eth(uid);
    assert.equal(bal.lock, String(paying));
    assert.equal(bal.normal, String(40 - paying));
    await assertLedgerClean();
  });

  test('held deposits over the operator API: list, release (credited), reject (stays in suspense)', async () => {
    const uid = await newUser();
    const coin = t.coins.USDT;
    const now = t.ctx.clock.nowMs();
    const a = await insertHeldDeposit(t.ctx, { merchant: t.merchant, uid, coin, amount: 5_000_000n, createdAt: now, status: DepositStatus.KytManualReview, reason: 'deposit from denied address' });
    const b = await insertHeldDeposit(t.ctx, { merchant: t.merchant, uid, coin, amount: 7_000_000n, createdAt: now, status: DepositStatus.CircuitBreakerReview });
    const listed = await call('GET', '/kyt?side=deposit&limit=500');
    assert.deepEqual(listed.json.withdrawals, []);
    const shown = listed.json.deposits.find((d: { id: number }) => d.id === a.id);
    assert.deepEqual({ status: shown.status, amount: shown.amount, reason: shown.review_reason, app: shown.app_id }, { status: 5, amount: '5', reason: 'deposit from denied address', app: t.appId });
    const suspenseBefore = (await readBalance(t.ctx.store.db, suspenseAccount(Number(coin.id)))).normal;

    const released = await call('POST', `/kyt/deposits/${a.id}/release`, { by: 'carol' });
    assert.equal(released.status, 200);
    assert.equal(released.json.status, DepositStatus.Succeeded);
    const rejected = await call('POST', `/kyt/deposits/${b.id}/reject`, { reason: 'returned to sender' });
    assert.equal(rejected.json.status, DepositStatus.Failed);
    assert.match(rejected.json.review_reason, /returned to sender/);
    assert.equal((await call('POST', `/kyt/deposits/${b.id}/release`)).status, 409);
    assert.equal((await call('POST', '/kyt/deposits/0/release')).status, 400);

    assert.equal((await readBalance(t.ctx.store.db, userAccount(Number(t.merchant.id), uid, Number(coin.id)))).normal, 5_000_000n);
    assert.equal(suspenseBefore - (await readBalance(t.ctx.store.db, suspenseAccount(Number(coin.id)))).normal, 5_000_000n);
    const [record] = await t.client.depositList({ ids: String(a.id) });
    assert.equal(record?.status, DepositStatus.Succeeded);
    await assertLedgerClean();
  });
});
