/** Four-eyes approvals: quorums of distinct reviewers, from coin and merchant policies, on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseWithdrawFields } from '../src/api/handlers/withdraw.js';
import { userAccount } from '../src/modules/ledger/index.js';
import type { Actor } from '../src/modules/operators/index.js';
import { clearApprovalPolicy, setApprovalPolicy } from '../src/modules/policies/index.js';
import { approveWithdrawal, findWithdrawal, listWithdrawalsForReview, rejectWithdrawal, requestWithdrawal, reviewStateOf, WithdrawalStateError } from '../src/modules/withdrawals/index.js';
import type { Merchant } from '../src/store/schema.js';
import { addMerchant, addUser, assertLedgerClean, balance, createMoneyWorld, fund, units, type MoneyWorld } from './money-fixtures.js';
import { eachDatabase } from './support/service.js';

const eth = (text: string) => units(text, 18);
const anAddress = '0x' + '1'.repeat(40);
const reviewer = (operatorId: number, name: string): Actor => ({ operatorId, name, roles: ['reviewer'], sourceIp: '127.0.0.1' });
const admin: Actor = { operatorId: 9, name: 'root', roles: ['admin'], sourceIp: '127.0.0.1' };
const alice = reviewer(1, 'alice');
const bob = reviewer(2, 'bob');
const carol = reviewer(3, 'carol');

let seq = 0;
const nextId = (prefix = 'a') => `${prefix}-${++seq}-${Date.now()}`;

eachDatabase('withdrawal approvals', (kind) => {
  let w: MoneyWorld;
  let merchantB: Merchant;

  const withdraw = (fields: Record<string, unknown>, merchant: Merchant = w.merchant) =>
    requestWithdrawal(w.ctx, merchant, parseWithdrawFields({ request_id: nextId(), to_address: anAddress, symbol: 'ETH', ...fields }));
  const newUser = async (amount: string, merchant: Merchant = w.merchant) => {
    const uid = await addUser(w, merchant, `${nextId('u')}@example.com`);
    await fund(w, userAccount(Number(merchant.id), uid, w.eth.id), eth(amount));
    return uid;
  };
  const statuses = async (id: number) =>
    (await w.store.db.selectFrom('notifications').select('payload').where('side', '=', 'withdraw').where('record_id', '=', id).orderBy('id').execute()).map((n) => JSON.parse(n.payload).status);
  const policy = (input: { appId?: string; above: string; n: number; companyReview?: boolean }) =>
    setApprovalPolicy(w.store.db, {
      ...(input.appId !== undefined ? { appId: input.appId } : {}),
      symbol: 'ETH',
      aboveAmount: input.above,
      approvalsRequired: input.n,
      companyReview: input.companyReview ?? false,
      actor: admin,
      nowMs: w.clock.nowMs(),
    });

  before(async () => {
    w = await createMoneyWorld(kind);
    const b = await addMerchant({ ...w, coins: [w.eth] }, { name: 'approvals-b' });
    w.onClose(() => b.confirm.close());
    merchantB = b.merchant;
    // ETH pays automatically up to 5; above 10 two distinct reviewers; the merchant's confirmation stands for its side.
    await policy({ above: '10', n: 2 });
  });
  after(async () => {
    await assertLedgerClean(w.store);
    await w.close();
  });

  test('above the threshold two distinct reviewers: one approval keeps it in review, a second by another pays it', async () => {
    const uid = await newUser('30');
    const r = await withdraw({ from_uid: uid, amount: '12' });
    assert.equal(r.status, 0);
    assert.equal(r.approvals_required, 2);
    assert.equal(r.company_status, 1, "the merchant's second confirmation stands for its side");
    const first = await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: alice });
    assert.equal(first.status, 0);
    assert.equal(first.saas_status, 0);
    await assert.rejects(
      approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: alice }),
      (e: unknown) => e instanceof WithdrawalStateError && e.reason === 'already-approved' && /alice/.test(e.message) && /another reviewer/.test(e.message),
    );
    const listed = (await listWithdrawalsForReview(w.ctx)).find((x) => x.id === Number(r.id));
    assert.equal(listed?.approvals_given, 1);
    assert.equal(listed?.approvals_required, 2);
    assert.deepEqual(listed?.decisions.map((d) => [d.operator_name, d.decision, d.side]), [['alice', 'approve', 'saas']]);
    const paid = await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: bob });
    assert.equal(paid.status, 1);
    assert.equal(paid.saas_status, 1);
    assert.deepEqual(await statuses(r.id), ['0', '1']);
    const state = await reviewStateOf(w.store.db, paid);
    assert.deepEqual(state.decisions.map((d) => [d.operator_id, d.operator_name, d.decision]), [[1, 'alice', 'approve'], [2, 'bob', 'approve']]);
    assert.deepEqual(await balance(w, userAccount(Number(w.merchant.id), uid, w.eth.id)), { normal: eth('18'), lock: eth('12') });

    // At or below the threshold, one reviewer is enough.
    const small = await withdraw({ from_uid: uid, amount: '6' });
    assert.equal(small.status, 0);
    assert.equal(small.approvals_required, 1);
    assert.equal((await approveWithdrawal(w.ctx, { withdrawalId: small.id, actor: carol })).status, 1);
  });

  test('two reviewers approving at once: one transition, one notification', async () => {
    for (let round = 0; round < 5; round++) {
      const uid = await newUser('20');
      const r = await withdraw({ from_uid: uid, amount: '11' });
      const results = await Promise.allSettled([approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: alice }), approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: bob })]);
      for (const x of results) assert.equal(x.status, 'fulfilled', x.status === 'rejected' ? String(x.reason) : '');
      const after = await findWithdrawal(w.store.db, r.id);
      assert.equal(after?.status, 1);
      assert.deepEqual(await statuses(r.id), ['0', '1']);
      assert.equal((await reviewStateOf(w.store.db, after!)).approvals_given, 2);
    }
    // A third reviewer racing the quorum: exactly one transition; the latecomer finds it decided.
    const uid = await newUser('20');
    const r = await withdraw({ from_uid: uid, amount: '11' });
    await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: alice });
    const results = await Promise.allSettled([approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: bob }), approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: carol })]);
    assert.equal(results.filter((x) => x.status === 'fulfilled').length, 1);
    for (const x of results) if (x.status === 'rejected') assert.ok(x.reason instanceof WithdrawalStateError && x.reason.reason === 'invalid-transition', String(x.reason));
    assert.deepEqual(await statuses(r.id), ['0', '1']);
  });

  test('a rejection after one approval ends it: status 2, funds unlocked, recorded with its operator', async () => {
    const mid = Number(w.merchant.id);
    const uid = await newUser('25');
    const r = await withdraw({ from_uid: uid, amount: '15' });
    await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: alice });
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('10'), lock: eth('15') });
    const rejected = await rejectWithdrawal(w.ctx, { withdrawalId: r.id, actor: bob, reason: 'unknown destination' });
    assert.equal(rejected.status, 2);
    assert.equal(rejected.saas_status, 2);
    assert.match(rejected.review_reason, /rejected by saas \(bob\): unknown destination/);
    assert.deepEqual(await balance(w, userAccount(mid, uid, w.eth.id)), { normal: eth('25'), lock: 0n });
    assert.deepEqual(await statuses(r.id), ['0', '2']);
    const state = await reviewStateOf(w.store.db, rejected);
    assert.deepEqual(state.decisions.map((d) => [d.operator_name, d.decision, d.reason]), [['alice', 'approve', ''], ['bob', 'reject', 'unknown destination']]);
    await assert.rejects(approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: carol }), (e: unknown) => e instanceof WithdrawalStateError && e.reason === 'invalid-transition');
    await assertLedgerClean(w.store);
  });

  test("a merchant's own policy beats the coin's; clearing it brings the coin's back", async () => {
    await policy({ appId: merchantB.app_id, above: '10', n: 3, companyReview: true });
    const uid = await newUser('40', merchantB);
    const r = await withdraw({ from_uid: uid, amount: '12' }, merchantB);
    assert.equal(r.approvals_required, 3);
    assert.equal(r.company_status, 0, 'the override keeps the manual merchant review');
    for (const actor of [alice, bob]) assert.equal((await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor })).status, 0);
    const quorum = await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: carol });
    assert.equal(quorum.saas_status, 1);
    assert.equal(quorum.status, 0, "the merchant's side is still open");
    assert.equal((await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: alice, by: 'company' })).status, 1);

    await clearApprovalPolicy(w.store.db, { appId: merchantB.app_id, symbol: 'ETH' });
    const again = await withdraw({ from_uid: uid, amount: '12' }, merchantB);
    assert.equal(again.approvals_required, 2);
    assert.equal(again.company_status, 1);
    await rejectWithdrawal(w.ctx, { withdrawalId: again.id, actor: alice, reason: 'test over' });
  });

  test('without a policy: one reviewer and the merchant side, as before', async () => {
    await clearApprovalPolicy(w.store.db, { symbol: 'ETH' });
    try {
      const uid = await newUser('20');
      const r = await withdraw({ from_uid: uid, amount: '12' });
      assert.equal(r.approvals_required, 1);
      assert.equal(r.company_status, 0);
      assert.equal((await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: alice })).saas_status, 1);
      // The side is approved: approving it again changes nothing (also for the same operator).
      assert.equal((await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: alice })).status, 0);
      assert.equal((await approveWithdrawal(w.ctx, { withdrawalId: r.id, actor: alice, by: 'company' })).status, 1);
    } finally {
      await policy({ above: '10', n: 2 });
    }
  });
});
