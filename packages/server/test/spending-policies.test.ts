/** Spending policies (velocity limits, destination allowlists, the first-payment cool-down) on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseWithdrawFields } from '../src/api/handlers/withdraw.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { listOperatorAudit, verifyOperatorAudit } from '../src/modules/operator-audit/index.js';
import type { Actor } from '../src/modules/operators/index.js';
import {
  addAllowlistedDestination,
  clearDestinationSettings,
  clearVelocityLimit,
  listAllowlist,
  removeAllowlistedDestination,
  setDestinationSettings,
  setVelocityLimit,
  type PolicyHit,
} from '../src/modules/policies/index.js';
import { listWithdrawalsForReview, requestWithdrawal, type WithdrawalRecord } from '../src/modules/withdrawals/index.js';
import type { Merchant } from '../src/store/schema.js';
import { AdminError } from '../src/errors/admin-errors.js';
import { addMerchant, addUser, assertLedgerClean, balance, createMoneyWorld, fund, units, type MoneyWorld } from './money-fixtures.js';
import { eachDatabase } from './support/service.js';

const usdt = (text: string) => units(text, 6);
const eth = (text: string) => units(text, 18);
const admin: Actor = { operatorId: 9, name: 'root', roles: ['admin'], sourceIp: '127.0.0.1' };
const hexAddress = (n: number) => '0x' + n.toString(16).padStart(40, 'a');

let seq = 0;
const nextId = (prefix = 's') => `${prefix}-${++seq}-${Date.now()}`;
const hits = (w: WithdrawalRecord): PolicyHit[] => (w.policy_decision === '' ? [] : JSON.parse(w.policy_decision));

eachDatabase('spending policies', (kind) => {
  let w: MoneyWorld;
  let merchantB: Merchant;
  let merchantC: Merchant;

  const withdraw = (fields: Record<string, unknown>, merchant: Merchant = w.merchant) =>
    requestWithdrawal(w.ctx, merchant, parseWithdrawFields({ request_id: nextId(), to_address: hexAddress(1), symbol: 'USDT', ...fields }));
  const newUser = async (funds: { usdt?: string; eth?: string }, merchant: Merchant = w.merchant) => {
    const uid = await addUser(w, merchant, `${nextId('u')}@example.com`);
    if (funds.usdt) await fund(w, userAccount(Number(merchant.id), uid, w.usdt.id), usdt(funds.usdt));
    if (funds.eth) await fund(w, userAccount(Number(merchant.id), uid, w.eth.id), eth(funds.eth));
    return uid;
  };
  const allSettledOk = async (requests: Array<Promise<WithdrawalRecord>>) => {
    const results = await Promise.allSettled(requests);
    for (const r of results) assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? String(r.reason) : '');
    return results.map((r) => (r as PromiseFulfilledResult<WithdrawalRecord>).value);
  };

  before(async () => {
    w = await createMoneyWorld(kind);
    for (const name of ['spend-b', 'spend-c']) {
      const m = await addMerchant({ ...w, coins: [w.eth, w.usdt] }, { name });
      w.onClose(() => m.confirm.close());
      if (name === 'spend-b') merchantB = m.merchant;
      else merchantC = m.merchant;
    }
  });
  after(async () => {
    await assertLedgerClean(w.store);
    await w.close();
  });

  test('a user velocity limit under 100 concurrent requests sends exactly those beyond it to review; the window rolls', async () => {
    const mid = Number(w.merchant.id);
    await setVelocityLimit(w.store.db, { symbol: 'USDT', scope: 'user', windowS: 3600, maxAmount: '20', actor: admin, nowMs: w.clock.nowMs() });
    try {
      const uid = await newUser({ usdt: '500' });
      const done = await allSettledOk(Array.from({ length: 100 }, () => withdraw({ from_uid: uid, amount: '2' })));
      const paying = done.filter((x) => x.status === 1);
      const review = done.filter((x) => x.status === 0);
      assert.equal(paying.length, 10);
      assert.equal(review.length, 90);
      for (const r of review) {
        const [hit] = hits(r);
        assert.equal(hit?.rule, 'velocity');
        assert.equal(hit?.rule === 'velocity' && hit.scope, 'user');
        assert.match(r.review_reason, /user velocity limit of 20 USDT per 3600 s exceeded/);
      }
      const counted = review.map((r) => { const h = hits(r)[0]; return h?.rule === 'velocity' ? h.count_before : -1; });
      assert.equal(Math.min(...counted), 10, 'each decision saw the ten paid before it');
      assert.deepEqual(await balance(w, userAccount(mid, uid, w.usdt.id)), { normal: usdt('300'), lock: usdt('200') });

      // Each decision is on the operators' audit trail, committed with its withdrawal; 90 at once leave one unbroken chain.
      const trail = await listOperatorAudit(w.store.db, { filter: { action: 'withdrawal review' }, limit: 1_000 });
      const reviewed = new Set(review.map((r) => `/withdrawals/${r.id}`));
      const mine = trail.filter((e) => reviewed.has(e.target));
      assert.equal(mine.length, 90);
      assert.ok(mine.every((e) => e.operator_name === 'policy' && e.outcome === 'done'));
      assert.equal(((mine[0]!.after as { policy_hits: Array<{ rule: string }> }).policy_hits[0]!.rule), 'velocity');
      assert.equal((await verifyOperatorAudit(w.store.db)).ok, true);

      const listed = (await listWithdrawalsForReview(w.ctx)).find((x) => x.id === Number(review[0]!.id));
      assert.equal(listed?.policy_hits[0]?.rule, 'velocity');
      assert.equal(listed?.policy_hits[0]?.rule === 'velocity' && listed.policy_hits[0].max_amount, '20');

      // The 90 under review count too (not released) until they leave the window, an hour and a millisecond later.
      const saved = w.clock.ms;
      w.clock.ms += 3_599_999;
      assert.equal((await withdraw({ from_uid: uid, amount: '2' })).status, 0);
      w.clock.ms = saved + 3_600_001;
      try {
        const other = await newUser({ usdt: '50' });
        assert.equal((await withdraw({ from_uid: other, amount: '2' })).status, 1, 'another user has a limit of their own');
        const later = await withdraw({ from_uid: uid, amount: '2' });
        assert.equal(later.status, 1, 'the earlier withdrawals left the window');
      } finally {
        w.clock.ms = saved;
      }
    } finally {
      await clearVelocityLimit(w.store.db, { symbol: 'USDT', scope: 'user', windowS: 3600 });
    }
  });

  test("a merchant's own count limit over all its users, under concurrency, beats the coin's limits", async () => {
    await setVelocityLimit(w.store.db, { symbol: 'USDT', scope: 'user', windowS: 86_400, maxCount: 1, actor: admin, nowMs: w.clock.nowMs() });
    await setVelocityLimit(w.store.db, { appId: merchantB.app_id, symbol: 'USDT', scope: 'merchant', windowS: 86_400, maxCount: 15, actor: admin, nowMs: w.clock.nowMs() });
    try {
      const users: number[] = [];
      for (let i = 0; i < 4; i++) users.push(await newUser({ usdt: '100' }, merchantB));
      const done = await allSettledOk(Array.from({ length: 40 }, (_, i) => withdraw({ from_uid: users[i % 4], amount: '2' }, merchantB)));
      assert.equal(done.filter((x) => x.status === 1).length, 15);
      assert.equal(done.filter((x) => x.status === 0).length, 25);
      for (const r of done.filter((x) => x.status === 0)) {
        const hit = hits(r)[0];
        assert.equal(hit?.rule === 'velocity' ? `${hit.policy}/${hit.scope}` : '', 'merchant/merchant', "only the merchant's own limits bind it");
      }
      // Merchant C follows the coin's limit: one withdrawal per user per day.
      const uid = await newUser({ usdt: '100' }, merchantC);
      assert.equal((await withdraw({ from_uid: uid, amount: '2' }, merchantC)).status, 1);
      assert.equal((await withdraw({ from_uid: uid, amount: '2' }, merchantC)).status, 0);
    } finally {
      await clearVelocityLimit(w.store.db, { symbol: 'USDT', scope: 'user', windowS: 86_400 });
      await clearVelocityLimit(w.store.db, { appId: merchantB.app_id, symbol: 'USDT', scope: 'merchant', windowS: 86_400 });
    }
  });

  test('with the allowlist on, only listed destinations (canonical form) pay without review', async () => {
    const listedAddress = '0x' + 'AB'.repeat(20);
    await setDestinationSettings(w.store.db, { appId: merchantC.app_id, allowlistEnabled: true, actor: admin, nowMs: w.clock.nowMs() });
    try {
      const entry = await addAllowlistedDestination(w.store.db, { appId: merchantC.app_id, symbol: 'ETH', address: listedAddress, label: 'cold wallet', actor: admin, nowMs: w.clock.nowMs() });
      assert.equal(entry.address, listedAddress.toLowerCase());
      assert.equal(entry.chain, w.eth.chain);
      await assert.rejects(addAllowlistedDestination(w.store.db, { appId: merchantC.app_id, symbol: 'ETH', address: 'not-an-address', actor: admin, nowMs: 0 }), AdminError);
      const uid = await newUser({ eth: '10', usdt: '100' }, merchantC);
      assert.equal((await withdraw({ from_uid: uid, symbol: 'ETH', amount: '1', to_address: listedAddress.toLowerCase() }, merchantC)).status, 1);
      // USDT lives on the same chain: the same destination is listed for it.
      assert.equal((await withdraw({ from_uid: uid, amount: '2', to_address: listedAddress }, merchantC)).status, 1);
      const elsewhere = await withdraw({ from_uid: uid, symbol: 'ETH', amount: '1', to_address: hexAddress(7) }, merchantC);
      assert.equal(elsewhere.status, 0);
      assert.deepEqual(hits(elsewhere), [{ rule: 'allowlist', chain: w.eth.chain, address: hexAddress(7) }]);
      // Other merchants are not bound by C's list.
      const other = await newUser({ eth: '10' });
      assert.equal((await withdraw({ from_uid: other, symbol: 'ETH', amount: '1', to_address: hexAddress(7) })).status, 1);

      await removeAllowlistedDestination(w.store.db, { appId: merchantC.app_id, symbol: 'ETH', address: listedAddress });
      assert.deepEqual(await listAllowlist(w.store.db, merchantC.app_id), []);
      assert.equal((await withdraw({ from_uid: uid, symbol: 'ETH', amount: '1', to_address: listedAddress }, merchantC)).status, 0);
    } finally {
      await clearDestinationSettings(w.store.db, { appId: merchantC.app_id });
    }
  });

  test('a first payment to a new destination waits out the cool-down (fixed clock); 0 turns it off', async () => {
    await setDestinationSettings(w.store.db, { appId: merchantB.app_id, newAddressCooldownS: 3600, actor: admin, nowMs: w.clock.nowMs() });
    const saved = w.clock.ms;
    try {
      const uid = await newUser({ eth: '10' }, merchantB);
      const fresh = '0x' + 'Cd'.repeat(20);
      const first = await withdraw({ from_uid: uid, symbol: 'ETH', amount: '1', to_address: fresh }, merchantB);
      assert.equal(first.status, 0);
      assert.deepEqual(hits(first), [{ rule: 'cooldown', address: fresh.toLowerCase(), first_seen_at: saved, cooldown_s: 3600, ends_at: saved + 3_600_000 }]);
      assert.match(first.review_reason, /cool-down of 3600 s/);
      w.clock.ms = saved + 3_599_000;
      const early = await withdraw({ from_uid: uid, symbol: 'ETH', amount: '1', to_address: fresh.toLowerCase() }, merchantB);
      assert.equal(early.status, 0, 'the same destination in another case is the same destination');
      w.clock.ms = saved + 3_600_000;
      assert.equal((await withdraw({ from_uid: uid, symbol: 'ETH', amount: '1', to_address: fresh }, merchantB)).status, 1);
      assert.equal((await withdraw({ from_uid: uid, symbol: 'ETH', amount: '1', to_address: hexAddress(99) }, merchantB)).status, 0, 'another new destination waits');

      await setDestinationSettings(w.store.db, { appId: merchantB.app_id, newAddressCooldownS: 0, actor: admin, nowMs: w.clock.nowMs() });
      assert.equal((await withdraw({ from_uid: uid, symbol: 'ETH', amount: '1', to_address: hexAddress(98) }, merchantB)).status, 1);
    } finally {
      w.clock.ms = saved;
      await clearDestinationSettings(w.store.db, { appId: merchantB.app_id });
    }
  });

  test('policy management refuses what it cannot apply', async () => {
    const db = w.store.db;
    const nowMs = w.clock.nowMs();
    await assert.rejects(setVelocityLimit(db, { symbol: 'USDT', scope: 'user', windowS: 60, actor: admin, nowMs }), (e: unknown) => e instanceof AdminError && e.code === 'invalid');
    await assert.rejects(setVelocityLimit(db, { symbol: 'NOPE', scope: 'user', windowS: 60, maxCount: 1, actor: admin, nowMs }), (e: unknown) => e instanceof AdminError && e.code === 'not_found');
    await assert.rejects(setVelocityLimit(db, { appId: 'nobody', symbol: 'USDT', scope: 'user', windowS: 60, maxCount: 1, actor: admin, nowMs }), (e: unknown) => e instanceof AdminError && e.code === 'not_found');
    await assert.rejects(setVelocityLimit(db, { symbol: 'USDT', scope: 'user', windowS: 0, maxCount: 1, actor: admin, nowMs }), (e: unknown) => e instanceof AdminError && e.code === 'invalid');
    await assert.rejects(setDestinationSettings(db, { newAddressCooldownS: -1, actor: admin, nowMs }), (e: unknown) => e instanceof AdminError && e.code === 'invalid');
    await assert.rejects(clearVelocityLimit(db, { symbol: 'USDT', scope: 'merchant', windowS: 60 }), (e: unknown) => e instanceof AdminError && e.code === 'not_found');
  });
});
