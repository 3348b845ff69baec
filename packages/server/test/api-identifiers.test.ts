/**
 * Exact identifiers and clean strings (docs/identifiers.md), through the SDK client and the
 * HTTP service, on SQLite and PostgreSQL: an identifier with surrounding whitespace is refused
 * with 100004 on every endpoint and never trimmed; control, separator and bidi characters in
 * any field are refused before anything is looked up, written or confirmed; amounts travel as
 * decimal strings only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode, seal, parsePrivateKey, type EndpointName } from '@openwaas/sdk';
import { readBalance } from '../src/modules/ledger/index.js';
import { eachDatabase, rowCounts, startTestService, type TestMerchant, type TestService } from './support/service.js';
import { rejectsWith } from './support/assertions.js';
import { startConfirmEndpoint, type ConfirmEndpoint } from './money-fixtures.js';

let seq = 0;
const nextId = (prefix = 'r') => `${prefix}-${++seq}-${Date.now()}`;
const anAddress = '0x' + '3'.repeat(40);
const invalid = ErrorCode.InvalidParameter;

eachDatabase('exact identifiers and clean strings over the API', (kind) => {
  let t: TestService;
  let other: TestMerchant;
  let confirm: ConfirmEndpoint;

  const call = (endpoint: EndpointName, params: Record<string, unknown>, m: TestMerchant = t) => m.client.call(endpoint, params as never);
  const newUser = async () => Number((await t.client.registerEmail({ email: `${nextId('u')}@example.com` })).uid);
  const ethOf = async (uid: number) => readBalance(t.ctx.store.db, { kind: 'user', merchantId: Number(t.merchant.id), uid, coinId: Number(t.coins.ETH.id) });
  const confirmations = () => confirm.withdrawals.length + confirm.transfers.length;

  /** Runs `refused` expecting 100004 with a message matching `msg`, and checks it wrote and confirmed nothing. */
  async function refusedCleanly(refused: () => Promise<unknown>, msg: RegExp): Promise<void> {
    const rows = await rowCounts(t);
    const asked = confirmations();
    await rejectsWith(refused(), invalid, msg);
    assert.deepEqual(await rowCounts(t), rows, `nothing written (${msg})`);
    assert.equal(confirmations(), asked, `the merchant was not asked to confirm (${msg})`);
  }

  before(async () => {
    t = await startTestService({ kind });
    other = await t.addMerchant({ name: 'Other Merchant' });
    confirm = await startConfirmEndpoint({ walletPublicKey: t.walletPublicKeyPem, privateKey: t.merchantPrivateKeyPem });
    await t.ctx.store.db.updateTable('merchants').set({ confirm_url: confirm.url }).where('id', '=', Number(t.merchant.id)).execute();
  });
  after(async () => {
    await confirm?.close();
    await t?.close();
  });

  test('reproduction: a padded request_id is refused, so its trimmed twin locks funds once', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '3', uid });
    const id = nextId('dup');
    const order = { from_uid: uid, to_address: anAddress, amount: '1', symbol: 'ETH' };

    await refusedCleanly(() => t.client.withdraw({ ...order, request_id: ` ${id} ` }), /^request_id has surrounding whitespace/);
    // Spaces around a list's items are list syntax: the lookup is for the id itself, which was never stored.
    assert.deepEqual(await t.client.withdrawList({ ids: ` ${id} ` }), []);
    assert.deepEqual(await ethOf(uid), { normal: 3_000_000_000_000_000_000n, lock: 0n });

    const w = await t.client.withdraw({ ...order, request_id: id });
    const listed = await t.client.withdrawList({ ids: id });
    assert.deepEqual(listed.map((r) => [r.id, r.request_id]), [[w.id, id]]);
    await rejectsWith(t.client.withdraw({ ...order, request_id: id }), ErrorCode.DuplicateRequest);
    assert.deepEqual(await ethOf(uid), { normal: 2_000_000_000_000_000_000n, lock: 1_000_000_000_000_000_000n }, 'one lock only');
    assert.equal(confirm.withdrawals.filter((c) => c.request_id.includes(id)).length, 1);
  });

  test('withdraw ↔ withdrawList: every padded identifier refused; exact ids round-trip, case-sensitive, inner spaces kept', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '5', uid });
    const base = { request_id: nextId('w'), from_uid: uid, to_address: anAddress, amount: '0.5', symbol: 'ETH' };
    for (const [field, value] of [
      ['request_id', '\u00a0' + base.request_id],
      ['request_id', base.request_id + '\u3000'],
      ['from_uid', ` ${uid}`],
      ['to_address', `${anAddress} `],
      ['symbol', ' ETH'],
      ['amount', '0.5 '],
    ] as const) {
      await refusedCleanly(() => call('withdraw', { ...base, [field]: value }), new RegExp(`^${field} `));
    }
    assert.deepEqual(await ethOf(uid), { normal: 5_000_000_000_000_000_000n, lock: 0n });

    const exact = `Order 7/${nextId('x')}`;
    const w = await call('withdraw', { ...base, request_id: exact });
    const [record] = await t.client.withdrawList({ ids: exact });
    assert.equal(record?.request_id, exact);
    assert.equal(record?.id, (w as { id: number }).id);
    assert.deepEqual(await t.client.withdrawList({ ids: exact.toLowerCase() }), [], 'ids are case-sensitive');
    // Real clients space their lists (API.md §1): around a "," that is syntax, never part of an id.
    assert.deepEqual((await t.client.withdrawList({ ids: ` ${exact} , nope,${exact.toLowerCase()}  ` })).map((r) => r.request_id), [exact]);
    for (const ids of [`${exact},`, `,${exact}`, `${exact}, ,x`, ' ', ',']) {
      await refusedCleanly(() => t.client.withdrawList({ ids }), /^ids /);
    }
    await refusedCleanly(() => t.client.syncWithdrawList({ max_id: ' 0' }), /^max_id has surrounding whitespace/);
  });

  test('transfer ↔ transferList: padded request_id, to and list ids refused; exact ids round-trip', async () => {
    await t.credit({ symbol: 'USDT', amount: '100' });
    const collection = () => readBalance(t.ctx.store.db, { kind: 'collection', merchantId: Number(t.merchant.id), uid: null, coinId: Number(t.coins.USDT.id) });
    const before = await collection();
    const base = { request_id: nextId('t'), symbol: 'USDT', amount: '10', to: other.appId, remark: ' kept as sent ' };
    for (const [field, value] of [
      ['request_id', `${base.request_id}\u2003`],
      ['to', ` ${other.appId}`],
      ['symbol', 'USDT '],
    ] as const) {
      await refusedCleanly(() => call('transfer', { ...base, [field]: value }), new RegExp(`^${field} `));
    }
    assert.deepEqual(await collection(), before);

    const { receipt } = await t.client.transfer(base);
    const [byId] = await t.client.transferList({ ids: base.request_id });
    assert.deepEqual([byId?.request_id, byId?.receipt, byId?.remark], [base.request_id, receipt, ' kept as sent ']);
    assert.equal((await t.client.transferList({ ids: receipt, ids_type: 'receipt' })).length, 1);
    assert.deepEqual((await t.client.transferList({ ids: `nope, ${base.request_id}` })).map((r) => r.receipt), [receipt]);
    assert.deepEqual((await t.client.transferList({ ids: `${receipt} , nope`, ids_type: 'receipt' })).map((r) => r.request_id), [base.request_id]);
    await refusedCleanly(() => call('transferList', { ids: receipt, ids_type: ' receipt' }), /^ids_type/);
    await refusedCleanly(() => t.client.syncTransferList({ max_id: '0 ' }), /^max_id /);
  });

  test('registerEmail / createUser ↔ user/info: padded email, country and mobile refused; exact values round-trip', async () => {
    const email = `Exact.${nextId('e')}@Example.com`;
    await refusedCleanly(() => t.client.registerEmail({ email: ` ${email}` }), /^email has surrounding whitespace/);
    await refusedCleanly(() => t.client.registerEmail({ email: `${email}\t` }), /^email /);
    const { uid } = await t.client.registerEmail({ email });
    assert.equal((await t.client.getUserInfo({ email })).uid, uid);
    await refusedCleanly(() => t.client.getUserInfo({ email: `${email} ` }), /^email has surrounding whitespace/);
    await rejectsWith(t.client.getUserInfo({ email: email.toLowerCase() }), ErrorCode.UserNotFound);

    await refusedCleanly(() => t.client.createUser({ country: '86', mobile: '13900139000 ' }), /^mobile has surrounding whitespace/);
    await refusedCleanly(() => t.client.createUser({ country: ' 86', mobile: '13900139000' }), /^country has surrounding whitespace/);
    const phone = await t.client.createUser({ country: '86', mobile: '13900139000' });
    assert.equal((await t.client.getUserInfo({ country: '86', mobile: '13900139000' })).uid, phone.uid);
    await refusedCleanly(() => t.client.getUserInfo({ country: '86', mobile: ' 13900139000' }), /^mobile has surrounding whitespace/);
    await refusedCleanly(() => t.client.syncUserList({ max_id: `${uid} ` }), /^max_id /);
  });

  test('getDepositAddress ↔ getDepositAddressInfo / getByUidAndSymbol / address/syncList', async () => {
    const uid = await newUser();
    await refusedCleanly(() => call('getDepositAddress', { uid: `${uid} `, symbol: 'ETH' }), /^uid has surrounding whitespace/);
    await refusedCleanly(() => call('getDepositAddress', { uid, symbol: ' ETH' }), /^symbol has surrounding whitespace/);
    const { address } = await t.client.getDepositAddress({ uid, symbol: 'ETH' });
    assert.deepEqual(await t.client.getDepositAddressInfo({ address }), { uid, symbol: 'ETH', address });
    await refusedCleanly(() => t.client.getDepositAddressInfo({ address: ` ${address}` }), /^address has surrounding whitespace/);
    await refusedCleanly(() => call('getByUidAndSymbol', { uid: ` ${uid}`, symbol: 'ETH' }), /^uid /);
    await refusedCleanly(() => call('getCompanyBySymbol', { symbol: 'ETH\u00a0' }), /^symbol /);
    assert.equal((await t.client.getByUidAndSymbol({ uid, symbol: 'ETH' })).deposit_address, address);
    await refusedCleanly(() => t.client.syncAddressList({ max_id: ' 0' }), /^max_id /);
  });

  test('depositList / minerFeeList: empty ids refused; spaced lists and exact ids round-trip', async () => {
    const uid = await newUser();
    const coin = t.coins.ETH;
    const nowMs = Date.now();
    const row = { merchant_id: Number(t.merchant.id), coin_id: Number(coin.id), symbol: 'ETH', amount: '1000', address_from: '0x' + 'f'.repeat(40), address_to: anAddress, confirmations: 0, status: 0, created_at: nowMs, updated_at: nowMs };
    const deposit = await t.ctx.store.db
      .insertInto('deposits')
      .values({ ...row, uid, txid: `0x${nextId('d')}`, tx_index: '0', to_collection: 0, withdrawal_id: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const fee = await t.ctx.store.db
      .insertInto('miner_fees')
      .values({ ...row, fee: '1', txid: `0x${nextId('f')}`, txid_type: '0', base_symbol: 'ETH', contract_address: '', email: '' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const depositId = Number(deposit.id);
    const feeId = Number(fee.id);
    assert.deepEqual((await t.client.depositList({ ids: String(depositId) })).map((d) => d.id), [depositId]);
    assert.deepEqual((await t.client.minerFeeList({ ids: [feeId] })).map((d) => d.id), [feeId]);
    assert.deepEqual((await t.client.depositList({ ids: ` ${depositId} , 999999` })).map((d) => d.id), [depositId]);
    assert.deepEqual((await t.client.minerFeeList({ ids: `999999, ${feeId}` })).map((d) => d.id), [feeId]);
    for (const ids of [`${depositId},`, `${depositId},,${depositId}`, `${depositId}, ,${depositId}`]) {
      await refusedCleanly(() => t.client.depositList({ ids }), /^ids /);
      await refusedCleanly(() => t.client.minerFeeList({ ids }), /^ids /);
    }
    await refusedCleanly(() => t.client.syncDepositList({ max_id: '\u00a00' }), /^max_id /);
    await refusedCleanly(() => t.client.syncMinerFeeList({ max_id: '0\n' }), /^max_id /);
  });

  test('control, separator and bidi characters in any field → 100004 before any lookup, write or confirmation', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '2', uid });
    await t.credit({ symbol: 'ETH', amount: '2' });
    const withdraw = { request_id: nextId('c'), from_uid: uid, to_address: anAddress, amount: '0.5', symbol: 'ETH' };
    const transfer = { request_id: nextId('c'), symbol: 'ETH', amount: '0.5', to: other.appId, remark: 'ok' };
    const bad = {
      NUL: '\u0000', ESC: '\u001b[31m', TAB: '\t', DEL: '\u007f', C1: '\u0085', CSI: '\u009b', LS: '\u2028', PS: '\u2029',
      RLO: '\u202e', LRE: '\u202a', RLI: '\u2067', PDI: '\u2069', lone: '\ud800',
    };
    for (const [label, ch] of Object.entries(bad)) {
      const inside = (s: string) => `${s.slice(0, 3)}${ch}${s.slice(3)}`;
      await refusedCleanly(() => t.client.registerEmail({ email: inside(`${nextId('m')}@example.com`) }), /^email holds a control or formatting character/);
      await refusedCleanly(() => call('withdraw', { ...withdraw, request_id: inside(withdraw.request_id) }), /^request_id holds/);
      await refusedCleanly(() => call('withdraw', { ...withdraw, to_address: inside(anAddress) }), /^to_address holds/);
      await refusedCleanly(() => call('transfer', { ...transfer, remark: inside('remark') }), /^remark holds/);
      await refusedCleanly(() => t.client.withdrawList({ ids: inside('abcdef') }), /^ids holds/);
      await refusedCleanly(() => t.client.getUserInfo({ email: inside('someone@example.com') }), /^email holds/);
      await refusedCleanly(() => t.client.getDepositAddressInfo({ address: inside(anAddress) }), /^address holds/);
      // Unknown extra fields, nested values and field names too: nothing unclean reaches a handler or a log.
      await refusedCleanly(() => call('getCoinList', { note: inside('extra') }), /^note holds/);
      await refusedCleanly(() => call('getCoinList', { meta: { tags: ['fine', inside('nested')] } }), /^meta\.tags\.1 holds/);
      await refusedCleanly(() => call('getCoinList', { [inside('key')]: 'x' }), /^data holds a field name/);
      void label;
    }
    // Printable text outside ASCII is fine, and stored exactly.
    const unicode = `żółw-日本-😀-${nextId('ok')}@example.com`;
    const { uid: unicodeUid } = await t.client.registerEmail({ email: unicode });
    assert.equal((await t.client.getUserInfo({ email: unicode })).uid, unicodeUid);
  });

  test('an app_id holding a control character is unknown (plain 100015), never a database error', async () => {
    for (const appId of [`${t.appId}\u0000`, `\u001b[2J${t.appId}`, `${t.appId}\u202e`]) {
      const res = await t.raw({ path: '/user/getCoinList', form: { app_id: appId, data: t.sealRequest({}) } });
      assert.ok(res.status < 500, `${JSON.stringify(appId)}: ${res.status} ${res.text}`);
      assert.equal(res.json?.['code'], ErrorCode.InvalidAppId, res.text);
    }
    // Padded, it is simply not an app_id this service issued.
    const padded = await t.raw({ path: '/user/getCoinList', form: { app_id: ` ${t.appId}`, data: t.sealRequest({}) } });
    assert.equal(padded.json?.['code'], ErrorCode.InvalidAppId, padded.text);
  });

  test('data that decrypts to an array, a scalar or null → 100004 (enveloped)', async () => {
    const key = parsePrivateKey(t.merchantPrivateKeyPem);
    const rows = await rowCounts(t);
    for (const value of [[{ time: Date.now(), email: 'a@example.com' }], 'hello', 42, true, null]) {
      const res = await t.raw({ path: '/user/registerEmail', form: { app_id: t.appId, data: seal(value, key) } });
      assert.equal(res.status, 200, res.text);
      const reply = t.openReply(String(res.json?.['data']));
      assert.equal(reply.code, invalid, JSON.stringify(value));
      assert.match(reply.msg, /^data must be a JSON object/);
    }
    assert.deepEqual(await rowCounts(t), rows);
  });

  test('an amount sent as a JSON number is refused, never read through a float', async () => {
    const uid = await newUser();
    await t.credit({ symbol: 'ETH', amount: '2', uid });
    await t.credit({ symbol: 'ETH', amount: '2' });
    for (const amount of [0.1 + 0.2, 1, 0.5]) {
      await refusedCleanly(() => call('withdraw', { request_id: nextId('n'), from_uid: uid, to_address: anAddress, amount, symbol: 'ETH' }), /^amount must be a decimal string/);
      await refusedCleanly(() => call('transfer', { request_id: nextId('n'), symbol: 'ETH', amount, to: other.appId }), /^amount must be a decimal string/);
    }
    const id = nextId('s');
    await call('withdraw', { request_id: id, from_uid: uid, to_address: anAddress, amount: '0.3', symbol: 'ETH' });
    assert.equal((await t.client.withdrawList({ ids: id }))[0]?.amount, '0.3');
  });

  test('email length is counted in code points', async () => {
    const suffix = nextId('');
    const hundred = '😀'.repeat(100 - suffix.length) + suffix;
    assert.equal([...hundred].length, 100);
    assert.ok(hundred.length > 100, 'longer than 100 UTF-16 units');
    const { uid } = await t.client.registerEmail({ email: hundred });
    assert.equal((await t.client.getUserInfo({ email: hundred })).uid, uid);
    await refusedCleanly(() => t.client.registerEmail({ email: '😀' + hundred }), /^email is longer than 100 characters/);
  });
});
