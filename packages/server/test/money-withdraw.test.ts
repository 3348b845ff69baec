/** Withdrawals (#8) against the domain functions, on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode } from '@openwaas/sdk';
import { parseWithdrawFields } from '../src/api/handlers/withdraw.js';
import { ApiError } from '../src/errors/api-error.js';
import { collectionAccount, feeAccount, userAccount } from '../src/modules/ledger/index.js';
import { setUserFlags } from '../src/modules/merchants/index.js';
import { approveWithdrawal, cancelWithdrawal, listWithdrawalsForReview, rejectWithdrawal, requestWithdrawal, WithdrawalStateError } from '../src/modules/withdrawals/index.js';
import { testReviewer } from './support/operators.js';
import type { Merchant } from '../src/store/schema.js';
import { eachDatabase } from './support/service.js';
import { expectCode } from './support/assertions.js';
import {
  addChainAddress,
  addMerchant,
  addUser,
  assertLedgerClean,
  balance,
  createMoneyWorld,
  evmChain,
  fund,
  rowCounts,
  units,
  type MoneyWorld,
} from './money-fixtures.js';

const eth = (text: string) => units(text, 18);
const usdt = (text: string) => units(text, 6);
const ltc = (text: string) => units(text, 8);
const anAddress = '0x' + '1'.repeat(40);

let seq = 0;
const nextId = (prefix = 'w') => `${prefix}-${++seq}-${Date.now()}`;


eachDatabase('withdrawals (domain)', (kind) => {
  let w: MoneyWorld;
  let merchantB: Merchant;
  let merchantC: Merchant;

  const withdraw = async (fields: Record<string, unknown>, merchant: Merchant = w.merchant) =>
    requestWithdrawal(w.ctx, merchant, parseWithdrawFields({ request_id: nextId(), to_address: anAddress, symbol: 'ETH', ...fields }));
  const newUser = async (funds: { eth?: string; usdt?: string; ltc?: string } = {}, merchant: Merchant = w.merchant) => {
    const uid = await addUser(w, merchant, `${nextId('u')}@example.com`);
    const mid = Number(merchant.id);
    if (funds.eth) await fund(w, userAccount(mid, uid, w.eth.id), eth(funds.eth));
    if (funds.usdt) await fund(w, userAccount(mid, uid, w.usdt.id), usdt(funds.usdt));
    if (funds.ltc) await fund(w, userAccount(mid, uid, w.ltc.id), ltc(funds.ltc));
    return uid;
  };
  let hdIndex = 0;
  const issuedAddress = async (merchant: Merchant, uid: number) => {
    const address = '0x' + (++hdIndex).toString(16).padStart(40, 'c');
    await addChainAddress(w, { merchantId: Number(merchant.id), uid, chain: evmChain, address, hdIndex });
    return address;
  };

  before(async () => {
    w = await createMoneyWorld(kind);
    const coins = [w.eth, w.usdt, w.ltc];
    const b = await addMerchant({ ...w, coins }, { name: 'money-b' });
    const c = await addMerchant({ ...w, coins }, { name: 'money-c', autoCollect: true });
    w.onClose(() => b.confirm.close());
    w.onClose(() => c.confirm.close());
    merchantB = b.merchant;
    merchantC = c.merchant;
  });
  after(async () => {
    await assertLedgerClean(w.store);
    await w.close();
  });

  test('validates in order, each refusal writing nothing', async () => {
    const before = await rowCounts(w.store);
    const uid = await newUser({ eth: '1', usdt: '0.5' });
    const ok = { from_uid: uid, amount: '0.5' };
    const invalid = (field: string) => (e: ApiError) => assert.match(e.message, new RegExp(field));
    await expectCode(withdraw({ ...ok, request_id: undefined }), ErrorCode.InvalidParameter, invalid('request_id'));
    await expectCode(withdraw({ ...ok, request_id: 'x'.repeat(65) }), ErrorCode.InvalidParameter, invalid('request_id'));
    await expectCode(withdraw({ ...ok, from_uid: 'abc' }), ErrorCode.InvalidParameter, invalid('from_uid'));
    await expectCode(withdraw({ ...ok, to_address: '' }), ErrorCode.InvalidParameter, invalid('to_address'));
    for (const amount of ['-1', '1e5', '0', '0.000', 'abc', '']) {
      await expectCode(withdraw({ ...ok, amount }), ErrorCode.InvalidParameter, invalid('amount'));
    }
    await expectCode(withdraw({ ...ok, symbol: '' }), ErrorCode.InvalidParameter, invalid('symbol'));
    await expectCode(withdraw({ ...ok, symbol: 'DOGE' }), ErrorCode.CurrencyNotSupported);
    await expectCode(withdraw({ ...ok, from_uid: 9_999_999 }), ErrorCode.UserNotFound);
    const otherMerchantsUser = await newUser({}, merchantB);
    await expectCode(withdraw({ ...ok, from_uid: otherMerchantsUser }), ErrorCode.UserNotFound);
    await setUserFlags(w.store.db, uid, { frozen: true, atRisk: true });
    await expectCode(withdraw(ok), ErrorCode.UserFrozen);
    await setUserFlags(w.store.db, uid, { frozen: false });
    await expectCode(withdraw(ok), ErrorCode.UserAtRisk);
    await setUserFlags(w.store.db, uid, { atRisk: false });
    await expectCode(withdraw({ ...ok, to_address: '0x1234' }), ErrorCode.InvalidAddress);
    await expectCode(withdraw({ ...ok, to_address: 'LhFrA5ZJL15UdRV1uEfFxfdqWJUbBhXpRk' }), ErrorCode.InvalidAddress);
    const risky = '0x' + 'Ab'.repeat(20);
    await w.store.db.insertInto('blacklist').values({ address: risky.toLowerCase(), reason: 'test', created_at: 1 }).execute();
    await expectCode(withdraw({ ...ok, to_address: risky }), ErrorCode.AddressAtRisk);
    await expectCode(withdraw({ ...ok, symbol: 'USDT', amount: '0.1234567' }), ErrorCode.TooPrecise);
    await expectCode(withdraw({ ...ok, amount: '0.019' }), ErrorCode.AmountBelowMin);
    await expectCode(withdraw({ ...ok, amount: '100.000000000000000001' }), ErrorCode.AmountAboveMax);
    await expectCode(withdraw({ ...ok, symbol: 'USDT', amount: '1' }), ErrorCode.AmountNotAboveFee);
    await expectCode(withdraw({ ...ok, symbol: 'USDT', amount: '1.5' }), ErrorCode.InsufficientBalance);
    await expectCode(withdraw({ ...ok, amount: '1.000000000000000001' }), ErrorCode.InsufficientBalance);
    const noEthForFees = await newUser({ ltc: '20' });
    await expectCode(
      withdraw({ from_uid: noEthForFees, symbol: 'LTC', amount: '10', to_address: 'LhFrA5ZJL15UdRV1uEfFxfdqWJUbBhXpRk1' }),
      ErrorCode.InsufficientFeeBalance,
    );
    // Nothing above reached the merchant or the database.
    assert.equal(w.confirm.withdrawals.length, 0);
    const afterRefusals = await rowCounts(w.store);
    assert.equal(afterRefusals.withdrawals, before.withdrawals);
    assert.equal(afterRefusals.notifications, before.notifications);
    // The journals added are only the test's own funding (eth, usdt, ltc).
    assert.equal(afterRefusals.journals, before.journals + 3);
    const done = await withdraw({ ...ok, amount: '1' });
    assert.equal(done.status, 1);
    assert.deepEqual(await balance(w, userAccount(Number(w.merchant.id), uid, w.eth.id)), { normal: 0n, lock: eth('1') });
  });

  test('asks the merchant with the documented fields and a check_sum', async () => {
    const uid = await newUser({ eth: '2' });
    const requestId = nextId();
    await withdraw({ request_id: requestId, from_uid: String(uid), amount: '1.50' });
    const asked = w.confirm.withdrawals.find((r) => r.request_id === requestId);
    assert.ok(asked);
    assert.equal(asked.from_uid, String(uid));
    assert.equal(asked.to_address, anAddress);
    assert.equal(asked.amount, '1.50');
    assert.equal(asked.symbol, 'ETH');
    assert.equal(asked.charset, 'utf-8');
    assert.equal(asked.version, 'v2');
    assert.equal(typeof asked.time, 'number');
    assert.match(asked.check_sum, /^[0-9a-f]{32}$/);
  });

  test('on-chain withdrawal under the limits is approved at once and locks the amount', async () => {
    const uid = await newUser({ eth: '3' });
    const wakesBefore = w.wakes.count;
    const r = await withdraw({ from_uid: uid, amount: '2' });
    assert.equal(r.status, 1);
    assert.equal(r.withdraw_type, 1);
    assert.equal(r.saas_status, 1);
    assert.equal(r.company_status, 1);
    assert.equal(r.withdraw_fee, eth('0.01'));
    assert.equal(r.withdraw_fee_symbol, 'ETH');
    assert.equal(r.fee_symbol, 'ETH');
    assert.equal(r.txid, '');
    assert.deepEqual(await balance(w, userAccount(Number(w.merchant.id), uid, w.eth.id)), { normal: eth('1'), lock: eth('2') });
    const notes = await w.store.db.selectFrom('notifications').selectAll().where('side', '=', 'withdraw').where('record_id', '=', r.id).execute();
    assert.equal(notes.length, 1);
    const payload = JSON.parse(notes[0]!.payload) as Record<string, string>;
    assert.equal(payload.status, '1');
    assert.equal(payload.amount, '2');
    assert.equal(payload.withdraw_fee, '0.01');
    assert.equal(payload.request_id, r.request_id);
    assert.ok(w.wakes.count > wakesBefore);
  });

  test('a reused request_id answers 110088 with the existing id and status, moving nothing', async () => {
    const uid = await newUser({ eth: '3' });
    const requestId = nextId();
    const first = await withdraw({ request_id: requestId, from_uid: uid, amount: '1' });
    await expectCode(withdraw({ request_id: requestId, from_uid: uid, amount: '1' }), ErrorCode.DuplicateRequest, (e) =>
      assert.deepEqual(e.data, { id: first.id, status: first.status }),
    );
    // Even a retry that would now fail validation answers 110088.
    await expectCode(withdraw({ request_id: requestId, from_uid: uid, amount: '50' }), ErrorCode.DuplicateRequest);
    assert.deepEqual(await balance(w, userAccount(Number(w.merchant.id), uid, w.eth.id)), { normal: eth('2'), lock: eth('1') });
  });

  for (const mode of ['refuse', 'wrong-checksum', 'timeout', 'bad-envelope', 'http-500'] as const) {
    test(`confirmation "${mode}" → 120206, nothing written`, async () => {
      const uid = await newUser({ eth: '3' });
      const before = await rowCounts(w.store);
      w.confirm.mode = mode;
      const timeoutMs = w.ctx.config.confirmTimeoutMs;
      w.ctx.config.confirmTimeoutMs = 250;
      try {
        await expectCode(withdraw({ from_uid: uid, amount: '1' }), ErrorCode.ConfirmationFailed);
      } finally {
        w.confirm.mode = 'approve';
        w.ctx.config.confirmTimeoutMs = timeoutMs;
      }
      assert.deepEqual(await rowCounts(w.store), before);
      assert.deepEqual(await balance(w, userAccount(Number(w.merchant.id), uid, w.eth.id)), { normal: eth('3'), lock: 0n });
    });
  }

  test('no confirm_url (or unreachable) → 120206; a bare-envelope reply confirms', async () => {
    const uid = await newUser({ eth: '3' });
    const before = await rowCounts(w.store);
    await expectCode(withdraw({ from_uid: uid, amount: '1' }, { ...w.merchant, confirm_url: null }), ErrorCode.ConfirmationFailed);
    await expectCode(withdraw({ from_uid: uid, amount: '1' }, { ...w.merchant, confirm_url: 'http://127.0.0.1:1/confirm' }), ErrorCode.ConfirmationFailed);
    assert.deepEqual(await rowCounts(w.store), before);
    w.confirm.mode = 'bare-envelope';
    try {
      assert.equal((await withdraw({ from_uid: uid, amount: '1' })).status, 1);
    } finally {
      w.confirm.mode = 'approve';
    }
  });

  test('alliance withdrawal settles in the ledger: status 5, deposit for the receiver, fee to the merchant', async () => {
    const mid = Number(w.merchant.id);
    const sender = await newUser({ eth: '3' });
    const receiver = await newUser({}, merchantB);
    const address = await issuedAddress(merchantB, receiver);
    const feeBefore = (await balance(w, feeAccount(mid, w.eth.id))).normal;
    // Checksummed (upper-case) spelling of our lower-case address is still ours.
    const r = await withdraw({ from_uid: sender, amount: '1.5', to_address: '0x' + address.slice(2).toUpperCase() });
    assert.equal(r.status, 5);
    assert.equal(r.withdraw_type, 2);
    assert.equal(r.real_fee, 0n);
    assert.equal(r.txid, `internal:${r.id}`);
    assert.deepEqual(await balance(w, userAccount(mid, sender, w.eth.id)), { normal: eth('1.5'), lock: 0n });
    assert.deepEqual(await balance(w, userAccount(Number(merchantB.id), receiver, w.eth.id)), { normal: eth('1.49'), lock: 0n });
    assert.equal((await balance(w, feeAccount(mid, w.eth.id))).normal - feeBefore, eth('0.01'));
    const deposit = await w.store.db.selectFrom('deposits').selectAll().where('withdrawal_id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(deposit.status, 1);
    assert.equal(Number(deposit.merchant_id), Number(merchantB.id));
    assert.equal(Number(deposit.uid), receiver);
    assert.equal(deposit.amount, eth('1.49').toString());
    assert.equal(deposit.txid, `internal:${r.id}`);
    assert.equal(deposit.tx_index, String(r.id));
    assert.equal(deposit.to_collection, 0);
    const notes = await w.store.db.selectFrom('notifications').selectAll().where((eb) => eb.or([eb('record_id', '=', r.id), eb('record_id', '=', deposit.id)])).execute();
    const withdrawNote = notes.find((n) => n.side === 'withdraw' && Number(n.record_id) === Number(r.id));
    const depositNote = notes.find((n) => n.side === 'deposit' && Number(n.record_id) === Number(deposit.id));
    assert.equal(Number(withdrawNote?.merchant_id), mid);
    assert.equal(JSON.parse(withdrawNote!.payload).status, '5');
    assert.equal(Number(depositNote?.merchant_id), Number(merchantB.id));
    assert.equal(JSON.parse(depositNote!.payload).amount, '1.49');
  });

  test('alliance withdrawal to an auto-collecting merchant credits its collection account', async () => {
    const sender = await newUser({ usdt: '100' });
    const receiver = await newUser({}, merchantC);
    const address = await issuedAddress(merchantC, receiver);
    const before = (await balance(w, collectionAccount(Number(merchantC.id), w.usdt.id))).normal;
    const r = await withdraw({ from_uid: sender, symbol: 'USDT', amount: '30', to_address: address });
    assert.equal(r.status, 5);
    assert.equal((await balance(w, collectionAccount(Number(merchantC.id), w.usdt.id))).normal - before, usdt('29'));
    assert.deepEqual(await balance(w, userAccount(Number(merchantC.id), receiver, w.usdt.id)), { normal: 0n, lock: 0n });
    const deposit = await w.store.db.selectFrom('deposits').selectAll().where('withdrawal_id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(deposit.to_collection, 1);
  });

  test('above the auto-approval limit: review, then both audits → 1 (on chain) or 5 (internal)', async () => {
    const mid = Number(w.merchant.id);
    const uid = await newUser({ eth: '20' });
    const r = await withdraw({ from_uid: uid, amount: '6' });
    assert.equal(r.status, 0);
    assert.equal(r.saas_status, 0);
    assert.equal(r.company_status, 0);
    assert.match(r.review_reason, /auto-approval/);
    const review = await listWithdrawalsForReview(w.ctx);
    const item = review.find((x) => x.id === Number(r.id));
    assert.equal(item?.amount, '6');
    assert.equal(item?.app_id, w.merchant.app_id);
    const half = await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: testReviewer, by: 'saas' });
    assert.equal(half.status, 0);
    assert.equal(half.saas_status, 1);
    // Approving again for the same auditor changes nothing.
    assert.equal((await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: testReviewer, by: 'saas' })).status, 0);
    const done = await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: testReviewer, by: 'company' });
    assert.equal(done.status, 1);
    assert.equal(done.company_status, 1);
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('14'), lock: eth('6') });
    const statuses = (await w.store.db.selectFrom('notifications').select('payload').where('side', '=', 'withdraw').where('record_id', '=', r.id).orderBy('id').execute()).map(
      (n) => JSON.parse(n.payload).status,
    );
    assert.deepEqual(statuses, ['0', '1']);

    const receiver = await newUser({}, merchantB);
    const address = await issuedAddress(merchantB, receiver);
    const internal = await withdraw({ from_uid: uid, amount: '7', to_address: address });
    assert.equal(internal.status, 0);
    assert.equal(internal.withdraw_type, 2);
    await approveWithdrawal(w.ctx, { withdrawalId: internal.id, actor: testReviewer, by: 'company' });
    const settled = await approveWithdrawal(w.ctx, { withdrawalId: internal.id, actor: testReviewer, by: 'saas' });
    assert.equal(settled.status, 5);
    assert.deepEqual(await balance(w, userAccount(Number(merchantB.id), receiver, w.eth.id)), { normal: eth('6.99'), lock: 0n });
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('7'), lock: eth('6') });
    await assert.rejects(approveWithdrawal(w.ctx, { withdrawalId: internal.id, actor: testReviewer, by: 'saas' }), WithdrawalStateError);
  });

  test('reject → 2 with the funds back; cancel → 6 with the funds back; invalid transitions refused', async () => {
    const mid = Number(w.merchant.id);
    const uid = await newUser({ eth: '30' });
    const a = await withdraw({ from_uid: uid, amount: '10' });
    await approveWithdrawal(w.ctx, { withdrawalId: a.id, actor: testReviewer, by: 'saas' });
    const rejected = await rejectWithdrawal(w.ctx, { withdrawalId: a.id, actor: testReviewer, by: 'company', reason: 'unknown destination' });
    assert.equal(rejected.status, 2);
    assert.equal(rejected.company_status, 2);
    assert.equal(rejected.saas_status, 1);
    assert.match(rejected.review_reason, /unknown destination/);
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('30'), lock: 0n });
    await assert.rejects(cancelWithdrawal(w.ctx, { withdrawalId: a.id }), (e: unknown) => e instanceof WithdrawalStateError && e.reason === 'invalid-transition' && e.status === 2);
    await assert.rejects(approveWithdrawal(w.ctx, { withdrawalId: a.id, actor: testReviewer, by: 'saas' }), WithdrawalStateError);

    const b = await withdraw({ from_uid: uid, amount: '10' });
    assert.equal((await cancelWithdrawal(w.ctx, { withdrawalId: b.id })).status, 6);
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('30'), lock: 0n });

    // Approved on chain, not broadcast: still cancellable. Once it has a txid: no longer.
    const c = await withdraw({ from_uid: uid, amount: '1' });
    assert.equal(c.status, 1);
    assert.equal((await cancelWithdrawal(w.ctx, { withdrawalId: c.id })).status, 6);
    const d = await withdraw({ from_uid: uid, amount: '1' });
    await w.store.db.updateTable('withdrawals').set({ txid: '0xabc' }).where('id', '=', d.id).execute();
    await assert.rejects(cancelWithdrawal(w.ctx, { withdrawalId: d.id }), WithdrawalStateError);
    await assert.rejects(cancelWithdrawal(w.ctx, { withdrawalId: 99_999_999 }), (e: unknown) => e instanceof WithdrawalStateError && e.reason === 'not-found');
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('29'), lock: eth('1') });
    const statuses = (await w.store.db.selectFrom('notifications').select('payload').where('side', '=', 'withdraw').where('record_id', 'in', [a.id, b.id, c.id]).orderBy('id').execute()).map(
      (n) => JSON.parse(n.payload).status,
    );
    assert.deepEqual(statuses, ['0', '2', '0', '6', '1', '6']);
  });

  test('the daily limit sends the rest of the day to review; released withdrawals do not count', async () => {
    const uid = await newUser({ eth: '50' });
    const first = await withdraw({ from_uid: uid, amount: '4' });
    assert.equal(first.status, 1);
    await cancelWithdrawal(w.ctx, { withdrawalId: first.id });
    assert.equal((await withdraw({ from_uid: uid, amount: '4' })).status, 1);
    assert.equal((await withdraw({ from_uid: uid, amount: '4' })).status, 1);
    const over = await withdraw({ from_uid: uid, amount: '0.5' });
    assert.equal(over.status, 0);
    assert.match(over.review_reason, /daily limit/);
    const saved = w.clock.ms;
    w.clock.ms += 86_400_000;
    try {
      assert.equal((await withdraw({ from_uid: uid, amount: '4' })).status, 1);
    } finally {
      w.clock.ms = saved;
    }
  });

  test('a fee in another coin (LTC paid in ETH) is locked from the fee coin; 120403 when short', async () => {
    const mid = Number(w.merchant.id);
    const uid = await newUser({ ltc: '12', eth: '0.5' });
    const to = 'LhFrA5ZJL15UdRV1uEfFxfdqWJUbBhXpRk1';
    const r = await withdraw({ from_uid: uid, symbol: 'LTC', amount: '10', to_address: to });
    assert.equal(r.status, 1);
    assert.equal(r.withdraw_fee_symbol, 'ETH');
    assert.equal(r.withdraw_fee, eth('0.4'));
    assert.equal(r.fee_symbol, 'LTC');
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.ltc.id)), { normal: ltc('2'), lock: ltc('10') });
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('0.1'), lock: eth('0.4') });
    // The whole amount may go: the fee is not taken from it.
    await expectCode(withdraw({ from_uid: uid, symbol: 'LTC', amount: '2', to_address: to }), ErrorCode.InsufficientFeeBalance);
    await cancelWithdrawal(w.ctx, { withdrawalId: r.id });
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.ltc.id)), { normal: ltc('12'), lock: 0n });
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('0.5'), lock: 0n });
    const note = await w.store.db.selectFrom('notifications').select('payload').where('side', '=', 'withdraw').where('record_id', '=', r.id).orderBy('id').executeTakeFirstOrThrow();
    assert.equal(JSON.parse(note.payload).withdraw_fee, '0.4');
  });

  test('concurrent approve and cancel of one withdrawal: exactly one wins', async () => {
    const mid = Number(w.merchant.id);
    const uid = await newUser({ eth: '100' });
    const receiver = await newUser({}, merchantB);
    const address = await issuedAddress(merchantB, receiver);
    for (let round = 0; round < 5; round++) {
      const r = await withdraw({ from_uid: uid, amount: '6', to_address: address });
      await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: testReviewer, by: 'saas' });
      const results = await Promise.allSettled([
        approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: testReviewer, by: 'company' }),
        cancelWithdrawal(w.ctx, { withdrawalId: r.id }),
        cancelWithdrawal(w.ctx, { withdrawalId: r.id }),
      ]);
      const won = results.filter((x) => x.status === 'fulfilled');
      assert.equal(won.length, 1, JSON.stringify(results.map((x) => x.status)));
      for (const x of results) if (x.status === 'rejected') assert.ok(x.reason instanceof WithdrawalStateError, String(x.reason));
    }
    const rows = await w.store.db.selectFrom('withdrawals').select('status').where('uid', '=', uid).execute();
    const settled = rows.filter((x) => x.status === 5).length;
    assert.equal(settled + rows.filter((x) => x.status === 6).length, 5);
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('100') - eth('6') * BigInt(settled), lock: 0n });
    assert.deepEqual(await balance(w, userAccount(Number(merchantB.id), receiver, w.eth.id)), { normal: eth('5.99') * BigInt(settled), lock: 0n });
    await assertLedgerClean(w.store);
  });

  test('concurrent internal withdrawals in both directions neither deadlock nor lose money', async () => {
    const x = await newUser({ eth: '5' });
    const y = await newUser({ eth: '5' }, merchantB);
    const addressX = await issuedAddress(w.merchant, x);
    const addressY = await issuedAddress(merchantB, y);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? withdraw({ from_uid: x, amount: '0.1', to_address: addressY }) : withdraw({ from_uid: y, amount: '0.1', to_address: addressX }, merchantB),
      ),
    );
    for (const r of results) assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? String(r.reason) : '');
    for (const r of results) assert.equal(r.status === 'fulfilled' && r.value.status, 5);
    // Each side sent 20 × 0.1 and received 20 × 0.09.
    assert.deepEqual(await balance(w, userAccount(Number(w.merchant.id), x, w.eth.id)), { normal: eth('4.8'), lock: 0n });
    assert.deepEqual(await balance(w, userAccount(Number(merchantB.id), y, w.eth.id)), { normal: eth('4.8'), lock: 0n });
    await assertLedgerClean(w.store);
  });

  test('200 concurrent identical requests create one withdrawal; 200 different ones for a balance of 100 accept exactly 100', async () => {
    const mid = Number(w.merchant.id);
    const uid = await newUser({ usdt: '1000' });
    const requestId = nextId();
    const same = await Promise.allSettled(Array.from({ length: 200 }, () => withdraw({ request_id: requestId, from_uid: uid, symbol: 'USDT', amount: '10' })));
    const created = same.filter((x) => x.status === 'fulfilled');
    assert.equal(created.length, 1);
    for (const x of same) {
      if (x.status === 'rejected') assert.equal((x.reason as ApiError).code, ErrorCode.DuplicateRequest, String(x.reason));
    }
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.usdt.id)), { normal: usdt('990'), lock: usdt('10') });

    const poor = await newUser({ usdt: '500' });
    const many = await Promise.allSettled(Array.from({ length: 200 }, () => withdraw({ from_uid: poor, symbol: 'USDT', amount: '5' })));
    const accepted = many.filter((x) => x.status === 'fulfilled').length;
    assert.equal(accepted, 100);
    for (const x of many) {
      if (x.status === 'rejected') assert.equal((x.reason as ApiError).code, ErrorCode.InsufficientBalance, String(x.reason));
    }
    assert.deepEqual(await balance(w, userAccount(mid, poor, w.usdt.id)), { normal: 0n, lock: usdt('500') });
    await assertLedgerClean(w.store);
  });
});
