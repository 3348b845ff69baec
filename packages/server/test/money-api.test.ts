/** Withdrawals (#8) and transfers (#15) end to end: SDK client → HTTP service → merchant confirmation endpoint. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode, WaasError } from '@openwaas/sdk';
import { auditLedger } from '../src/modules/ledger/index.js';
import { approveWithdrawal } from '../src/modules/withdrawals/index.js';
import { testReviewer } from './support/operators.js';
import { eachDatabase, startTestService, type TestMerchant, type TestService } from './support/service.js';
import { startConfirmEndpoint, type ConfirmEndpoint } from './money-fixtures.js';

let seq = 0;
const nextId = (prefix = 'r') => `${prefix}-${++seq}-${Date.now()}`;
const anAddress = '0x' + '2'.repeat(40);

async function expectCode(promise: Promise<unknown>, code: string, check?: (e: WaasError) => void): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof WaasError, `expected WaasError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code} (${e.msg})`);
    check?.(e);
    return true;
  });
}

async function assertLedgerClean(t: TestService): Promise<void> {
  const report = await auditLedger(t.ctx.store.db);
  assert.deepEqual(report.findings, []);
}

eachDatabase('money over the API', (kind) => {
  let t: TestService;
  let confirm: ConfirmEndpoint;
  let other: TestMerchant;

  /** Gives a merchant a confirmation endpoint answering with its own key. */
  async function withConfirmation(m: TestMerchant): Promise<ConfirmEndpoint> {
    const endpoint = await startConfirmEndpoint({ walletPublicKey: m.walletPublicKeyPem, privateKey: m.merchantPrivateKeyPem });
    await t.ctx.store.db.updateTable('merchants').set({ confirm_url: endpoint.url }).where('id', '=', Number(m.merchant.id)).execute();
    return endpoint;
  }
  const newUser = async (m: TestMerchant = t) => Number((await m.client.registerEmail({ email: `${nextId('u')}@example.com` })).uid);

  before(async () => {
    t = await startTestService({ kind });
    confirm = await withConfirmation(t);
    other = await t.addMerchant({ name: 'Other Merchant' });
  });
  after(async () => {
    await confirm?.close();
    await t?.close();
  });

  test('withdraw answers {id, status, withdraw_type}; balances and records follow', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '2', uid });
    const requestId = nextId();
    const r = await t.client.withdraw({ request_id: requestId, from_uid: String(uid), to_address: anAddress, amount: '1.5', symbol: 'ETH' });
    assert.deepEqual(r, { id: r.id, status: 1, withdraw_type: 1 });
    const bal = await t.client.getByUidAndSymbol({ uid, symbol: 'ETH' });
    assert.equal(bal.normal_balance, '0.5');
    assert.equal(bal.lock_balance, '1.5');
    const [record] = await t.client.withdrawList({ ids: requestId });
    assert.equal(record?.id, r.id);
    assert.equal(record?.amount, '1.5');
    assert.equal(record?.withdraw_fee, '0.001');
    assert.equal(record?.status, 1);
    await expectCode(t.client.withdraw({ request_id: requestId, from_uid: uid, to_address: anAddress, amount: '1.5', symbol: 'ETH' }), ErrorCode.DuplicateRequest, (e) =>
      assert.deepEqual(e.data, { id: r.id, status: 1 }),
    );
  });

  test('refusals carry their codes over HTTP', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'USDT', amount: '50', uid });
    await t.credit({ symbol: 'TKN', amount: '50', uid });
    const base = { from_uid: uid, to_address: anAddress, amount: '20', symbol: 'USDT' };
    const w = (fields: Record<string, unknown>) => t.client.withdraw({ request_id: nextId(), ...base, ...fields } as never);
    await expectCode(w({ from_uid: 'x1' }), ErrorCode.InvalidParameter, (e) => assert.match(e.msg, /from_uid/));
    await expectCode(w({ amount: '1e3' }), ErrorCode.InvalidParameter, (e) => assert.match(e.msg, /amount/));
    await expectCode(w({ symbol: 'OFF' }), ErrorCode.CurrencyNotSupported);
    await expectCode(w({ from_uid: 987_654_321 }), ErrorCode.UserNotFound);
    await expectCode(w({ to_address: 'bc1qnotevm' }), ErrorCode.InvalidAddress);
    await expectCode(w({ amount: '20.1234567' }), ErrorCode.TooPrecise);
    await expectCode(w({ amount: '9.99' }), ErrorCode.AmountBelowMin);
    await expectCode(w({ amount: '100001' }), ErrorCode.AmountAboveMax);
    await expectCode(w({ amount: '60' }), ErrorCode.InsufficientBalance);
    await expectCode(w({ symbol: 'TKN', amount: '10' }), ErrorCode.InsufficientFeeBalance);
    confirm.mode = 'refuse';
    try {
      await expectCode(w({}), ErrorCode.ConfirmationFailed);
    } finally {
      confirm.mode = 'approve';
    }
    const count = await t.ctx.store.db.selectFrom('withdrawals').select('id').where('uid', '=', uid).execute();
    assert.equal(count.length, 0);
  });

  test('alliance withdrawal: status 5, the receiving user sees a deposit and the money', async () => {
    const sender = await newUser();
    const receiver = await newUser(other);
    await t.credit({ symbol: 'ETH', amount: '3', uid: sender });
    const { address } = await other.client.getDepositAddress({ uid: receiver, symbol: 'ETH' });
    const r = await t.client.withdraw({ request_id: nextId(), from_uid: sender, to_address: address, amount: '1.25', symbol: 'ETH' });
    assert.deepEqual(r, { id: r.id, status: 5, withdraw_type: 2 });
    const bal = await other.client.getByUidAndSymbol({ uid: receiver, symbol: 'ETH' });
    assert.equal(bal.normal_balance, '1.249');
    assert.equal((await t.client.getByUidAndSymbol({ uid: sender, symbol: 'ETH' })).lock_balance, '0');
    const deposits = await other.client.syncDepositList({ max_id: 0 });
    const deposit = deposits.find((d) => d.txid === `internal:${r.id}`);
    assert.equal(deposit?.status, 1);
    assert.equal(deposit?.amount, '1.249');
    assert.equal(deposit?.uid, receiver);

    // Above the auto-approval limit: review first, then settled when both audits approve.
    await t.credit({ symbol: 'ETH', amount: '20', uid: sender });
    const big = await t.client.withdraw({ request_id: nextId(), from_uid: sender, to_address: address, amount: '11', symbol: 'ETH' });
    assert.deepEqual(big, { id: big.id, status: 0, withdraw_type: 2 });
    await approveWithdrawal(t.ctx, { withdrawalId: big.id, actor: testReviewer, by: 'saas' });
    assert.equal((await approveWithdrawal(t.ctx, { withdrawalId: big.id, actor: testReviewer, by: 'company' })).status, 5);
    assert.equal((await other.client.getByUidAndSymbol({ uid: receiver, symbol: 'ETH' })).normal_balance, '12.248');
    await assertLedgerClean(t);
  });

  test('200 concurrent identical withdrawals over HTTP: one withdrawal, money locked once', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'USDT', amount: '1000', uid });
    const request = { request_id: nextId(), from_uid: uid, to_address: anAddress, amount: '10', symbol: 'USDT' };
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => t.client.withdraw(request)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    assert.equal(ok.length, 1);
    const id = ok[0]!.status === 'fulfilled' ? ok[0]!.value.id : 0;
    for (const r of results) {
      if (r.status === 'rejected') {
        assert.ok(r.reason instanceof WaasError, String(r.reason));
        assert.equal(r.reason.code, ErrorCode.DuplicateRequest);
        assert.deepEqual(r.reason.data, { id, status: 1 });
      }
    }
    const bal = await t.client.getByUidAndSymbol({ uid, symbol: 'USDT' });
    assert.deepEqual([bal.normal_balance, bal.lock_balance], ['990', '10']);
    await assertLedgerClean(t);
  });

  test('200 concurrent withdrawals for a balance covering 100: exactly 100 accepted', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'USDT', amount: '1000', uid });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => t.client.withdraw({ request_id: nextId(), from_uid: uid, to_address: anAddress, amount: '10', symbol: 'USDT' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 100);
    for (const r of results) {
      if (r.status === 'rejected') assert.equal((r.reason as WaasError).code, ErrorCode.InsufficientBalance, String(r.reason));
    }
    const bal = await t.client.getByUidAndSymbol({ uid, symbol: 'USDT' });
    assert.deepEqual([bal.normal_balance, bal.lock_balance], ['0', '1000']);
    await assertLedgerClean(t);
  });

  test('transfer between collection accounts: {receipt}, both balances, 3040006, 110088, 120402, 120206', async () => {
    await t.credit({ symbol: 'USDT', amount: '100' });
    const fromBefore = Number((await t.client.getCompanyBySymbol({ symbol: 'USDT' })).balance);
    const toBefore = Number((await other.client.getCompanyBySymbol({ symbol: 'USDT' })).balance);
    const requestId = nextId('tr');
    const { receipt } = await t.client.transfer({ request_id: requestId, symbol: 'USDT', amount: '40', to: other.appId, remark: 'settlement' });
    assert.match(receipt, /^[0-9a-f]{32}$/);
    assert.equal(Number((await t.client.getCompanyBySymbol({ symbol: 'USDT' })).balance), fromBefore - 40);
    assert.equal(Number((await other.client.getCompanyBySymbol({ symbol: 'USDT' })).balance), toBefore + 40);
    const [record] = await t.client.transferList({ ids: requestId });
    assert.equal(record?.receipt, receipt);
    assert.equal(record?.from, t.appId);
    assert.equal(record?.to, other.appId);
    assert.equal(record?.amount, '40');
    await expectCode(t.client.transfer({ request_id: requestId, symbol: 'USDT', amount: '40', to: other.appId }), ErrorCode.DuplicateRequest, (e) =>
      assert.deepEqual(e.data, { receipt }),
    );
    await expectCode(t.client.transfer({ request_id: nextId('tr'), symbol: 'USDT', amount: '1', to: t.appId }), ErrorCode.TransferToSelf);
    await expectCode(t.client.transfer({ request_id: nextId('tr'), symbol: 'USDT', amount: '1', to: 'unknown-app' }), ErrorCode.InvalidParameter, (e) => assert.match(e.msg, /\bto\b/));
    await expectCode(t.client.transfer({ request_id: nextId('tr'), symbol: 'USDT', amount: '1000000', to: other.appId }), ErrorCode.InsufficientBalance);
    confirm.mode = 'wrong-checksum';
    try {
      await expectCode(t.client.transfer({ request_id: nextId('tr'), symbol: 'USDT', amount: '1', to: other.appId }), ErrorCode.ConfirmationFailed);
    } finally {
      confirm.mode = 'approve';
    }
    assert.equal(Number((await t.client.getCompanyBySymbol({ symbol: 'USDT' })).balance), fromBefore - 40);
    await assertLedgerClean(t);
  });
});
