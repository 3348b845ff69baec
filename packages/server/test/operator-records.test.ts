/**
 * The operator API's record views through the real operator listener, on SQLite and PostgreSQL:
 * withdrawal and deposit lists (filters, keyset pages, bad cursors), a deposit's detail, record
 * timelines with the review quorum, user search, and wallet key rotation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createWithdrawConfirmation, DepositStatus, toNodeHttpHandler, WaasClient, WithdrawStatus } from '@openwaas/sdk';
import { importDepositRows } from '../src/modules/deposits/index.js';
import { findMerchantByAppId } from '../src/modules/merchants/index.js';
import { enqueueNotification } from '../src/modules/notifications/index.js';
import { importWithdrawalRows, requestWithdrawal } from '../src/modules/withdrawals/index.js';
import type { NewDepositRecord } from '../src/modules/deposits/index.js';
import type { NewWithdrawalRecord } from '../src/modules/withdrawals/index.js';
import { inTransaction } from '../src/store/tx.js';
import { Writable } from 'node:stream';
import { runCli } from '../src/cli/run.js';
import { createMoneyWorld, type MoneyWorld } from './money-fixtures.js';
import { startMerchantServer, type MerchantServer } from './ops-helpers.js';
import { operatorCall } from './support/operators.js';
import { eachDatabase, startTestService, type TestMerchant, type TestService } from './support/service.js';

/** Far after anything the other tests write (they write at the clock's time), so a from_ms filter isolates the seeded rows. */
const baseMs = 3_000_000_000_000;
const seededCount = 30;

/** The seeded rows' shape, from which each filter's expected answer is computed. */
interface Seed {
  tag: string;
  merchant: 'demo' | 'other';
  symbol: 'ETH' | 'USDT';
  status: number;
  createdAt: number;
  address: string;
  txid: string;
  requestId: string;
}

/** Three rows share each created_at (the id breaks the tie); merchants, symbols, statuses and addresses cycle. */
function seeds(prefix: string): Seed[] {
  return Array.from({ length: seededCount }, (_, i) => ({
    tag: `${prefix}-from-${i}`,
    merchant: i % 2 === 0 ? 'demo' : 'other',
    symbol: i % 3 === 0 ? 'USDT' : 'ETH',
    status: [0, 1, 5, 2][i % 4]!,
    createdAt: baseMs + Math.floor(i / 3) * 1_000,
    address: `0x${prefix}addr${i % 4}`,
    txid: i % 5 === 4 ? '' : `0x${prefix}tx${Math.floor(i / 2)}`,
    requestId: `${prefix}-req-${i}`,
  }));
}

/** Newest first by (created_at, insertion order): the order the lists answer in (ids grow with insertion). */
const newestFirst = (rows: readonly Seed[]) => rows.map((s, i) => ({ s, i })).sort((a, b) => b.s.createdAt - a.s.createdAt || b.i - a.i).map(({ s }) => s.tag);

eachDatabase('operator record views', (kind) => {
  let t: TestService;
  let other: TestMerchant;
  let confirmServer: MerchantServer;
  const wSeeds = seeds('w');
  const dSeeds = seeds('d');

  const call = (method: string, path: string, body?: unknown, token?: string) => operatorCall(t, method, path, { ...(body !== undefined ? { body } : {}), ...(token !== undefined ? { token } : {}) });
  const get = async (path: string, token?: string) => {
    const res = await call('GET', path, undefined, token);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    return res.json;
  };

  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true } });
    other = await t.addMerchant({ name: 'Other Merchant' });
    const confirm = createWithdrawConfirmation({ walletPublicKey: t.walletPublicKeyPem, privateKey: t.merchantPrivateKeyPem, approve: () => true });
    confirmServer = await startMerchantServer(toNodeHttpHandler(confirm));
    await t.ctx.store.db.updateTable('merchants').set({ confirm_url: confirmServer.url }).where('id', '=', Number(t.merchant.id)).execute();

    const merchantId = (s: Seed) => Number((s.merchant === 'demo' ? t.merchant : other.merchant).id);
    const coin = (s: Seed) => t.coins[s.symbol];
    const withdrawals: NewWithdrawalRecord[] = wSeeds.map((s, i) => ({
      merchant_id: merchantId(s), request_id: s.requestId, uid: 1000 + i, coin_id: Number(coin(s).id), symbol: s.symbol,
      amount: BigInt(1_000_000 + i), withdraw_fee: 0n, withdraw_fee_symbol: s.symbol, fee_symbol: 'ETH', real_fee: 0n,
      address_from: s.tag, address_to: s.address, txid: s.txid, confirmations: 0, saas_status: 0, company_status: 0,
      status: s.status, withdraw_type: 0, review_reason: '', created_at: s.createdAt, updated_at: s.createdAt,
    }));
    await importWithdrawalRows(t.ctx.store.db, withdrawals);
    const deposits: NewDepositRecord[] = dSeeds.map((s, i) => ({
      merchant_id: merchantId(s), uid: 2000 + i, coin_id: Number(coin(s).id), symbol: s.symbol, amount: BigInt(2_000_000 + i),
      address_from: s.tag, address_to: s.address, txid: s.txid === '' ? `0xdlone${i}` : s.txid, tx_index: String(i), confirmations: 3,
      status: s.status, to_collection: 0, withdrawal_id: null, created_at: s.createdAt, updated_at: s.createdAt,
    }));
    await importDepositRows(t.ctx.store.db, deposits);
  });
  after(async () => {
    await confirmServer?.close();
    await t?.close();
  });

  for (const side of ['withdrawals', 'deposits'] as const) {
    const seeded = side === 'withdrawals' ? wSeeds : dSeeds;
    const txidOf = (s: Seed, i: number) => (side === 'deposits' && s.txid === '' ? `0xdlone${i}` : s.txid);
    const tags = (json: any) => (json[side] as Array<{ address_from: string }>).map((r) => r.address_from);

    test(`${side}: each filter narrows to exactly its rows, newest first`, async () => {
      const list = async (query: string) => tags(await get(`/${side}?limit=1000${query.includes('from_ms=') ? '' : `&from_ms=${baseMs}`}${query}`));
      assert.deepEqual(await list(''), newestFirst(seeded));
      const cases: Array<[string, (s: Seed, i: number) => boolean]> = [
        [`&app_id=${other.appId}`, (s) => s.merchant === 'other'],
        ['&symbol=USDT', (s) => s.symbol === 'USDT'],
        ['&status=0', (s) => s.status === 0],
        ['&status=0,5', (s) => s.status === 0 || s.status === 5],
        ['&status=1&status=2', (s) => s.status === 1 || s.status === 2],
        [`&to_ms=${baseMs + 4_000}`, (s) => s.createdAt < baseMs + 4_000],
        [`&from_ms=${baseMs + 4_000}&to_ms=${baseMs + 6_000}`, (s) => s.createdAt >= baseMs + 4_000 && s.createdAt < baseMs + 6_000],
        [`&address=${seeded[1]!.address}`, (s) => s.address === seeded[1]!.address],
        [`&txid=${txidOf(seeded[2]!, 2)}`, (s, i) => txidOf(s, i) === txidOf(seeded[2]!, 2)],
        [`&app_id=${t.appId}&symbol=ETH&status=0,1`, (s) => s.merchant === 'demo' && s.symbol === 'ETH' && (s.status === 0 || s.status === 1)],
      ];
      if (side === 'withdrawals') cases.push([`&request_id=${seeded[7]!.requestId}`, (s) => s.requestId === seeded[7]!.requestId]);
      for (const [query, keep] of cases) {
        const expected = newestFirst(seeded.filter(keep));
        assert.ok(expected.length > 0 && expected.length < seeded.length, `${query} narrows`);
        assert.deepEqual(await list(query), expected, query);
      }
      // The operator sees whose record it is.
      const first = (await get(`/${side}?from_ms=${baseMs}&app_id=${other.appId}&limit=1`))[side][0];
      assert.equal(first.app_id, other.appId);
      assert.equal(first.merchant_id, Number(other.merchant.id));
      assert.equal(typeof first.kyt_reason, 'string');
    });

    test(`${side}: paging returns every row once, in order, though rows arrive between pages`, async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      for (;;) {
        const page: any = await get(`/${side}?from_ms=${baseMs}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...tags(page));
        pages += 1;
        assert.ok(pages <= seededCount, 'paging ends');
        if (pages === 1) {
          // Newer rows written after the first page (as the service writes them: at a later time).
          const fresh = seeds(`${side}-late`).slice(0, 3).map((s) => ({ ...s, createdAt: baseMs + 1_000_000 }));
          if (side === 'withdrawals') {
            await importWithdrawalRows(t.ctx.store.db, fresh.map((s, i) => ({
              merchant_id: Number(t.merchant.id), request_id: s.requestId, uid: 3000 + i, coin_id: Number(t.coins.ETH.id), symbol: 'ETH', amount: 1n, withdraw_fee: 0n,
              withdraw_fee_symbol: 'ETH', fee_symbol: 'ETH', real_fee: 0n, address_from: s.tag, address_to: s.address, txid: '', confirmations: 0, saas_status: 0,
              company_status: 0, status: 0, withdraw_type: 0, review_reason: '', created_at: s.createdAt, updated_at: s.createdAt,
            })));
          } else {
            await importDepositRows(t.ctx.store.db, fresh.map((s, i) => ({
              merchant_id: Number(t.merchant.id), uid: 3000 + i, coin_id: Number(t.coins.ETH.id), symbol: 'ETH', amount: 1n, address_from: s.tag, address_to: s.address,
              txid: `0xlate${i}`, tx_index: '0', confirmations: 0, status: 0, to_collection: 0, withdrawal_id: null, created_at: s.createdAt, updated_at: s.createdAt,
            })));
          }
        }
        cursor = page.next_cursor;
        if (cursor === null) break;
        assert.equal(page[side].length, 7, 'every page but the last is full');
      }
      assert.equal(pages, Math.ceil(seededCount / 7));
      assert.deepEqual(seen, newestFirst(seeded), 'every seeded row exactly once, newest first');
      // A new first page starts with the newer rows.
      assert.equal(tags(await get(`/${side}?from_ms=${baseMs}&limit=3`)).every((tag) => tag.startsWith(`${side}-late`)), true);
    });

    test(`${side}: a cursor this service did not make, a bad status or an unknown merchant is refused`, async () => {
      for (const cursor of ['not a cursor', Buffer.from('12.x').toString('base64url'), Buffer.from('1.0').toString('base64url'), 'A'.repeat(65)]) {
        const res = await call('GET', `/${side}?cursor=${encodeURIComponent(cursor)}`);
        assert.equal(res.status, 400, cursor);
        assert.equal(res.json.error, 'invalid');
      }
      for (const query of ['status=abc', 'status=', 'limit=0', 'limit=1001', `from_ms=${baseMs + 1}&to_ms=${baseMs}`, 'unknown=1']) {
        const res = await call('GET', `/${side}?${query}`);
        assert.equal(res.status, 400, query);
        assert.equal(res.json.error, 'invalid');
      }
      const unknown = await call('GET', `/${side}?app_id=nobody`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.json.error, 'not_found');
      const viewer = await t.operatorTokenFor(['viewer']);
      assert.equal((await call('GET', `/${side}?limit=1`, undefined, viewer)).status, 200, 'viewers may list');
    });
  }

  test('the address filter finds an EVM address stored lower-case when given checksummed or upper-case', async () => {
    const stored = '0x' + 'ab'.repeat(20);
    await importDepositRows(t.ctx.store.db, [
      {
        merchant_id: Number(t.merchant.id), uid: 55, coin_id: Number(t.coins.ETH.id), symbol: 'ETH', amount: 1n, address_from: 'case-test', address_to: stored,
        txid: `0xcase-${kind}`, tx_index: '0', confirmations: 1, status: 1, to_collection: 0, withdrawal_id: null, created_at: 1, updated_at: 1,
      },
    ]);
    for (const given of [stored, '0x' + 'AB'.repeat(20), '0xaBaBaBaBaBaBaBaBaBaBaBaBaBaBaBaBaBaBaBaB']) {
      const found = (await get(`/deposits?address=${given}`)).deposits.map((d: { address_from: string }) => d.address_from);
      assert.deepEqual(found, ['case-test'], given);
    }
  });

  test('GET /deposits/:id shows the deposit with its merchant, uid and KYT reason', async () => {
    const [row] = (await get(`/deposits?from_ms=${baseMs}&app_id=${other.appId}&limit=1`)).deposits;
    await t.ctx.store.db.updateTable('deposits').set({ review_reason: 'risk score 91 above 80' }).where('id', '=', row.id).execute();
    const d = await get(`/deposits/${row.id}`);
    assert.equal(d.id, row.id);
    assert.equal(d.app_id, other.appId);
    assert.equal(d.uid, row.uid);
    assert.equal(d.kyt_reason, 'risk score 91 above 80');
    assert.equal(d.amount, row.amount);
    assert.equal(d.to_collection, false);
    assert.equal(typeof d.tx_index, 'string');
    assert.equal((await call('GET', '/deposits/999999')).status, 404);
  });

  test('a withdrawal timeline: request, policy, approvals with the quorum, statuses notified, operator actions, chain transaction', async () => {
    const set = await call('PUT', '/policies/approval/ETH', { above_amount: '15', approvals_required: 2 });
    assert.equal(set.status, 200, set.text);
    const { uid } = await t.client.registerEmail({ email: `timeline-${kind}@example.test` });
    await t.credit({ symbol: 'ETH', amount: '50', uid: Number(uid) });
    const merchant = (await findMerchantByAppId(t.ctx.store.db, t.appId))!;
    const w = await requestWithdrawal(t.ctx, merchant, { requestId: `timeline-${kind}`, fromUid: Number(uid), toAddress: '0x' + '2'.repeat(40), amount: '20', symbol: 'ETH' });
    assert.equal(w.status, WithdrawStatus.Review);

    const approved = await call('POST', `/withdrawals/${w.id}/approve`, {});
    assert.equal(approved.status, 200, approved.text);
    const detail = await get(`/withdrawals/${w.id}`);
    assert.deepEqual([detail.approvals_required, detail.approvals_given, detail.approvals_needed, detail.approved_by], [2, 1, 1, ['test-admin']]);
    const halfway = await get(`/withdrawals/${w.id}/timeline`);
    assert.deepEqual(halfway.quorum, { approvals_required: 2, approvals_given: 1, approvals_needed: 1, approved_by: ['test-admin'] });

    await call('POST', `/withdrawals/${w.id}/approve`, { by: 'company' });
    const reviewerName = `timeline-reviewer-${kind}`;
    const second = await call('POST', `/withdrawals/${w.id}/approve`, {}, await t.operatorTokenFor(['reviewer'], reviewerName));
    assert.equal(second.json.status, WithdrawStatus.Paying, second.text);

    // Its chain transaction, as the chain worker stores it once signed and broadcast.
    await t.ctx.store.db
      .insertInto('chain_txs')
      .values({
        chain: 'evm:31337', purpose: 'withdrawal', ref_id: Number(w.id), from_address: '0x' + '3'.repeat(40), to_address: '0x' + '2'.repeat(40), token: '', sequence: 7,
        value: '20000000000000000000', fee_max: '1', terms: '{}', raw: '0x00', hash: '0x' + 'ab'.repeat(32), state: 'mined', replaces_id: null, block_number: 12, block_hash: '0x' + 'cd'.repeat(32),
        fee: '1', broadcasts: 1, last_error: '', broadcast_at: Date.now(), created_at: Date.now(), updated_at: Date.now(),
      })
      .execute();

    const timeline = await get(`/withdrawals/${w.id}/timeline`);
    assert.equal(timeline.withdrawal_id, Number(w.id));
    assert.equal(timeline.status, WithdrawStatus.Paying);
    assert.deepEqual(timeline.quorum, { approvals_required: 2, approvals_given: 2, approvals_needed: 0, approved_by: ['test-admin', reviewerName] });
    const events = timeline.events as Array<{ at_ms: number; kind: string; summary: string; actor?: string; detail?: any }>;
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.at_ms <= events[i]!.at_ms, 'in time order');
    const kinds = events.map((e) => e.kind);
    for (const kind of ['created', 'confirmation', 'policy', 'review', 'status', 'notification', 'operator', 'chain_tx']) assert.ok(kinds.includes(kind), `has a ${kind} event: ${kinds.join(' ')}`);
    assert.ok(kinds.indexOf('created') < kinds.indexOf('review'), 'created before reviewed');
    const reviews = events.filter((e) => e.kind === 'review');
    assert.deepEqual(reviews.map((e) => [e.actor, e.detail.side, e.detail.decision]), [['test-admin', 'saas', 'approve'], ['test-admin', 'company', 'approve'], [reviewerName, 'saas', 'approve']]);
    assert.match(events.find((e) => e.kind === 'policy')!.summary, /spending rule|review/);
    const statuses = events.filter((e) => e.kind === 'status').map((e) => e.detail.status);
    assert.deepEqual(statuses, [WithdrawStatus.Review, WithdrawStatus.Paying], 'each status the merchant was told of');
    const notices = events.filter((e) => e.kind === 'notification');
    assert.equal(notices.length, statuses.length);
    assert.ok(notices.every((e) => e.detail.state === 'pending' && typeof e.detail.attempts === 'number'));
    const actions = events.filter((e) => e.kind === 'operator').map((e) => [e.actor, e.detail.action]);
    assert.deepEqual(actions.filter(([, a]) => a === 'POST /withdrawals/:id/approve').map(([name]) => name), ['test-admin', 'test-admin', reviewerName]);
    assert.ok(actions.some(([, a]) => a === 'withdrawal review'), 'the policy decision is on the trail too');
    const chain = events.filter((e) => e.kind === 'chain_tx');
    assert.equal(chain.length, 3, chain.map((e) => e.summary).join(' | '));
    assert.match(chain[0]!.summary, /signed$/);
    assert.match(chain[1]!.summary, /broadcast/);
    assert.match(chain[2]!.summary, /mined in block 12$/);
    assert.equal(chain[0]!.detail.sequence, 7);
    assert.equal((await call('GET', '/withdrawals/999999/timeline')).status, 404);
  });

  test('a deposit timeline: seen, held by KYT, rejected by an operator, statuses notified', async () => {
    const nowMs = Date.now();
    await importDepositRows(t.ctx.store.db, [
      {
        merchant_id: Number(t.merchant.id), uid: 77, coin_id: Number(t.coins.ETH.id), symbol: 'ETH', amount: 5000n, address_from: '0xsender', address_to: '0xheld',
        txid: `0xheld-${kind}`, tx_index: '0', confirmations: 3, status: DepositStatus.KytManualReview, to_collection: 0, withdrawal_id: null,
        review_reason: 'risk score 95', created_at: nowMs, updated_at: nowMs,
      },
    ]);
    const [held] = (await get(`/deposits?txid=0xheld-${kind}`)).deposits;
    await inTransaction(t.ctx.store, (tx) =>
      enqueueNotification(tx, { merchantId: Number(t.merchant.id), side: 'deposit', recordId: held.id, payload: { id: String(held.id), status: String(DepositStatus.KytManualReview), txid: held.txid }, nowMs }),
    );
    const rejected = await call('POST', `/kyt/deposits/${held.id}/reject`, { reason: 'sanctioned source' });
    assert.equal(rejected.status, 200, rejected.text);

    const timeline = await get(`/deposits/${held.id}/timeline`);
    assert.equal(timeline.deposit_id, held.id);
    assert.equal(timeline.status, DepositStatus.Failed);
    const events = timeline.events as Array<{ at_ms: number; kind: string; summary: string; actor?: string; detail?: any }>;
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.at_ms <= events[i]!.at_ms, 'in time order');
    assert.equal(events[0]!.kind, 'created');
    assert.match(events.find((e) => e.kind === 'kyt')!.summary, /risk score 95/);
    assert.deepEqual(events.filter((e) => e.kind === 'status').map((e) => e.detail.status), [DepositStatus.KytManualReview, DepositStatus.Failed]);
    const action = events.find((e) => e.kind === 'operator')!;
    assert.equal(action.actor, 'test-admin');
    assert.equal(action.detail.action, 'POST /kyt/deposits/:id/reject');
    assert.equal((await call('GET', '/deposits/999999/timeline')).status, 404);
  });

  test('GET /users finds users by merchant (paged), by uid, and by deposit address, with balances', async () => {
    const a = await other.client.registerEmail({ email: `search-a-${kind}@example.test` });
    const b = await other.client.registerEmail({ email: `search-b-${kind}@example.test` });
    await t.credit({ symbol: 'ETH', amount: '1.25', uid: Number(b.uid), merchant: other.merchant });
    const { address } = await other.client.getDepositAddress({ uid: b.uid, symbol: 'ETH' });

    const byAddress = await get(`/users?address=${encodeURIComponent(address)}`);
    assert.deepEqual(byAddress.users.map((u: { uid: number }) => u.uid), [Number(b.uid)]);
    assert.equal(byAddress.users[0].app_id, other.appId);
    assert.deepEqual(byAddress.users[0].balances.find((x: { symbol: string }) => x.symbol === 'ETH'), { symbol: 'ETH', normal: '1.25', lock: '0' });
    assert.deepEqual((await get(`/users?address=${encodeURIComponent(address.toUpperCase().replace('0X', '0x'))}`)).users.map((u: { uid: number }) => u.uid), [Number(b.uid)], 'any case of an EVM address');
    assert.deepEqual((await get(`/users?address=${encodeURIComponent(address)}&app_id=${t.appId}`)).users, [], "not the other merchant's");
    assert.deepEqual((await get('/users?address=0xnobody')).users, []);

    const one = await get(`/users?app_id=${other.appId}&uid=${a.uid}`);
    assert.deepEqual(one.users.map((u: { uid: number }) => u.uid), [Number(a.uid)]);
    assert.deepEqual((await get(`/users?app_id=${t.appId}&uid=${a.uid}`)).users, [], 'a uid of another merchant');
    assert.equal((await get(`/users?uid=${a.uid}`)).users[0].email, `search-a-${kind}@example.test`);

    const first = await get(`/users?app_id=${other.appId}&limit=1`);
    assert.deepEqual(first.users.map((u: { uid: number }) => u.uid), [Number(a.uid)]);
    assert.equal(first.next_after_id, Number(a.uid));
    const rest = await get(`/users?app_id=${other.appId}&limit=1&after_id=${first.next_after_id}`);
    assert.deepEqual(rest.users.map((u: { uid: number }) => u.uid), [Number(b.uid)]);
    assert.equal(rest.next_after_id, null);

    assert.equal((await call('GET', '/users')).status, 400);
    assert.equal((await call('GET', '/users?app_id=nobody')).status, 404);
  });

  test('rotating a merchant key: answers are sealed with the new pair, the old public key no longer opens them; audited without secrets', async () => {
    const m = await t.addMerchant({ name: 'Rotating Merchant' });
    await m.client.registerEmail({ email: `before-rotation-${kind}@example.test` });
    const viewer = await t.operatorTokenFor(['viewer']);
    assert.equal((await call('POST', `/merchants/${m.appId}/rotate-key`, undefined, viewer)).status, 403);
    assert.equal((await call('POST', '/merchants/nobody/rotate-key')).status, 404);

    const rotated = await call('POST', `/merchants/${m.appId}/rotate-key`);
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(rotated.json.app_id, m.appId);
    assert.match(rotated.json.rsa_wallet_pub, /BEGIN PUBLIC KEY/);
    assert.notEqual(rotated.json.rsa_wallet_pub, m.walletPublicKeyPem);
    assert.equal(JSON.stringify(rotated.json).includes('PRIVATE'), false);
    assert.equal((await get(`/merchants/${m.appId}`)).rsa_wallet_pub, rotated.json.rsa_wallet_pub);

    const renewed = new WaasClient({ baseUrl: t.baseUrl, appId: m.appId, privateKey: m.merchantPrivateKeyPem, walletPublicKey: rotated.json.rsa_wallet_pub });
    const { uid } = await renewed.registerEmail({ email: `after-rotation-${kind}@example.test` });
    assert.ok(Number(uid) > 0);
    await assert.rejects(m.client.registerEmail({ email: `old-key-${kind}@example.test` }), 'the old public key does not open an answer sealed with the new pair');

    const stored = await t.ctx.store.db.selectFrom('merchants').select(['wallet_private_key', 'wallet_public_key']).where('app_id', '=', m.appId).executeTakeFirstOrThrow();
    assert.match(stored.wallet_private_key, /^v1:/, 'the new private key is sealed at rest');
    assert.equal(stored.wallet_public_key, rotated.json.rsa_wallet_pub);

    const trail = await get(`/audit/operators?target=${encodeURIComponent(`/merchants/${m.appId}`)}&action=${encodeURIComponent('POST /merchants/:appId/rotate-key')}`);
    const done = trail.entries.filter((e: { outcome: string }) => e.outcome === 'done');
    assert.equal(done.length, 1);
    assert.equal(done[0].before.rsa_wallet_pub, m.walletPublicKeyPem);
    assert.equal(done[0].after.rsa_wallet_pub, rotated.json.rsa_wallet_pub);
    assert.equal(JSON.stringify(trail).includes('PRIVATE KEY'), false);
  });

  // Last: a second admin engages four eyes for the rest of this service.
  test('with two admins, a key rotation waits for the other admin, then applies', async () => {
    const m = await t.addMerchant({ name: 'Four Eyes Merchant' });
    const second = await t.operatorTokenFor(['admin'], `second-admin-${kind}`);
    const asked = await call('POST', `/merchants/${m.appId}/rotate-key`);
    assert.equal(asked.status, 202, asked.text);
    assert.equal(asked.json.kind, 'POST /merchants/:appId/rotate-key');
    assert.equal((await get(`/merchants/${m.appId}`)).rsa_wallet_pub, m.walletPublicKeyPem, 'nothing changes before the approval');
    const approved = await call('POST', `/change-requests/${asked.json.id}/approve`, {}, second);
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.state, 'approved');
    const now = (await get(`/merchants/${m.appId}`)).rsa_wallet_pub;
    assert.notEqual(now, m.walletPublicKeyPem);
    const renewed = new WaasClient({ baseUrl: t.baseUrl, appId: m.appId, privateKey: m.merchantPrivateKeyPem, walletPublicKey: now });
    assert.ok(Number((await renewed.registerEmail({ email: `four-eyes-${kind}@example.test` })).uid) > 0);
  });
});

eachDatabase('merchant rotate-key (CLI)', (kind) => {
  let world: MoneyWorld;
  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = { stdout: '', stderr: '' };
    const sink = (key: keyof typeof out) => new Writable({ write(chunk: Buffer, _e, done) { out[key] += chunk.toString('utf8'); done(); } });
    const code = await runCli(args, { stdout: sink('stdout'), stderr: sink('stderr'), env: { DATABASE_URL: world.db.url, OPENWAAS_INSECURE_DEV_KEYS: '1', LOG_LEVEL: 'silent' }, cwd: process.cwd() });
    return { code, ...out };
  }
  before(async () => {
    world = await createMoneyWorld(kind);
  });
  after(() => world?.close());

  test('prints the new public key, stores the new pair sealed, and answers an unknown merchant with not found', async () => {
    const appId = world.merchant.app_id;
    const before = world.merchant.wallet_public_key;
    const rotated = await cli('merchant', 'rotate-key', appId, '--json');
    assert.equal(rotated.code, 0, rotated.stderr);
    const view = JSON.parse(rotated.stdout) as { app_id: string; rsa_wallet_pub: string };
    assert.equal(view.app_id, appId);
    assert.notEqual(view.rsa_wallet_pub, before);
    const stored = (await findMerchantByAppId(world.store.db, appId))!;
    assert.equal(stored.wallet_public_key, view.rsa_wallet_pub);
    assert.match(stored.wallet_private_key, /^v1:/);
    const text = await cli('merchant', 'rotate-key', appId);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /new wallet public key[\s\S]*BEGIN PUBLIC KEY/);
    assert.notEqual((await cli('merchant', 'rotate-key', 'nobody')).code, 0);
  });
});
