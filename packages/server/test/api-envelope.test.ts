import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, parsePrivateKey, seal, sealText, WaasError, WaasTransportError } from '@openwaas/sdk';
import { IpAllowlist, normaliseIp } from '../src/api/envelope.js';
import { eachDatabase, rowCounts, startTestService, type TestMerchant, type TestService } from './support/service.js';

/** Expects an enveloped answer (HTTP 200, `{"data":…}`) carrying `code`; returns the opened envelope. */
function expectEnveloped(t: TestService, res: { status: number; json: Record<string, unknown> | undefined }, code: string, merchant?: TestMerchant) {
  assert.equal(res.status, 200, `HTTP 200 for an enveloped answer, got ${res.status} ${JSON.stringify(res.json)}`);
  assert.equal(typeof res.json?.['data'], 'string');
  const envelope = t.openReply(res.json!['data'] as string, merchant);
  assert.equal(envelope.code, code, `code ${code}, got ${JSON.stringify(envelope)}`);
  return envelope;
}

/** Expects a plain `{code,msg}` JSON answer, HTTP 200 unless said (API.md §1: clients read no code from another status). */
function expectPlain(res: { status: number; json: Record<string, unknown> | undefined; text: string }, code: string, status = 200) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.['code'], code, res.text);
  assert.equal(typeof res.json?.['msg'], 'string');
  assert.equal(res.json?.['data'], undefined, 'plain errors carry no envelope');
  assert.doesNotMatch(res.text, /at .*\.(ts|js):\d+/, 'no stack trace');
}

describe('IP allowlist', () => {
  it('empty list allows any address', () => {
    assert.equal(new IpAllowlist('[]').allows('203.0.113.9'), true);
  });
  it('matches exact IPv4, IPv4 CIDR and exact IPv6; unmaps ::ffff:', () => {
    const list = new IpAllowlist(JSON.stringify(['192.0.2.7', '10.1.0.0/16', '2001:db8::1', 'garbage', '10.0.0.0/40']));
    assert.equal(list.allows('192.0.2.7'), true);
    assert.equal(list.allows('::ffff:192.0.2.7'), true);
    assert.equal(list.allows('192.0.2.8'), false);
    assert.equal(list.allows('10.1.255.3'), true);
    assert.equal(list.allows('10.2.0.1'), false);
    assert.equal(list.allows('2001:db8::1'), true);
    assert.equal(list.allows('2001:db8:0:0:0:0:0:1'), true);
    assert.equal(list.allows('2001:db8::2'), false);
    assert.deepEqual(list.invalid, ['garbage', '10.0.0.0/40']);
  });
  it('a list of only invalid entries allows nobody', () => {
    assert.equal(new IpAllowlist('["nope"]').allows('127.0.0.1'), false);
  });
  it('normalises mapped addresses', () => {
    assert.equal(normaliseIp('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(normaliseIp('::1'), '::1');
  });
});

eachDatabase('API envelope and request checks', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind, config: { bodyLimitBytes: 64 * 1024, requestTimeWindowMs: 60_000 } });
  });
  after(() => t?.close());

  it('GET (query string) and POST (form) both work on every kind of endpoint', async () => {
    const documented = t.client; // GET for getCoinList, POST for registerEmail
    const postOnly = (await t.addMerchant({ clientMethod: 'POST' })).client;
    for (const client of [documented, postOnly]) {
      const coins = await client.getCoinList();
      assert.deepEqual(coins.map((c) => c.symbol), ['ETH', 'USDT', 'TKN']);
    }
    const form = { app_id: t.appId, data: t.sealRequest({}) };
    expectEnveloped(t, await t.raw({ path: '/user/getCoinList', method: 'GET', form }), '0');
    expectEnveloped(t, await t.raw({ path: '/user/getCoinList', method: 'POST', form }), '0');
    // POST documented endpoints answer GET too.
    expectEnveloped(t, await t.raw({ path: '/user/syncList', method: 'GET', form: { app_id: t.appId, data: t.sealRequest({ max_id: 0 }) } }), '0');
  });

  it('accepts a JSON body {app_id, data}, a form without content type, and fields split between query and body', async () => {
    const data = t.sealRequest({});
    expectEnveloped(t, await t.raw({ path: '/user/getCoinList', body: JSON.stringify({ app_id: t.appId, data }), contentType: 'application/json' }), '0');
    expectEnveloped(t, await t.raw({ path: '/user/getCoinList', body: new URLSearchParams({ app_id: t.appId, data }).toString(), contentType: 'text/plain' }), '0');
    const res = await fetch(`${t.baseUrl}/api/v2/user/getCoinList?app_id=${t.appId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: new URLSearchParams({ data }).toString(),
    });
    expectEnveloped(t, { status: res.status, json: (await res.json()) as Record<string, unknown> }, '0');
  });

  it('accepts lax inputs: time as string, version "2.0", charset "UTF-8", empty sign, app_id in data, extra fields', async () => {
    const data = t.sealRequest({ time: String(Date.now()), version: '2.0', charset: 'UTF-8', sign: '', app_id: t.appId, extra: { nested: true }, another: 1 });
    const envelope = expectEnveloped(t, await t.raw({ path: '/user/getCoinList', form: { app_id: t.appId, data } }), '0');
    assert.equal(envelope.msg, 'success');
    assert.ok(Array.isArray(envelope.data));
  });

  it('accepts any segment size up to key_bytes − 11 and line breaks in data', async () => {
    const key = parsePrivateKey(t.merchantPrivateKeyPem);
    const fields = { time: Date.now(), charset: 'utf-8', version: 'v2', padding: 'x'.repeat(600) };
    for (const segmentBytes of [100, 214, 234, 245]) {
      const data = seal(fields, key, { segmentBytes });
      expectEnveloped(t, await t.raw({ path: '/user/getCoinList', form: { app_id: t.appId, data } }), '0');
    }
    const wrapped = seal(fields, key).replace(/(.{76})/g, '$1\r\n');
    expectEnveloped(t, await t.raw({ path: '/user/getCoinList', form: { app_id: t.appId, data: wrapped } }), '0');
  });

  it('100015: missing or unknown app_id → plain JSON, HTTP 200', async () => {
    const data = t.sealRequest({});
    expectPlain(await t.raw({ path: '/user/getCoinList', form: { data } }), ErrorCode.InvalidAppId);
    expectPlain(await t.raw({ path: '/user/getCoinList', form: { app_id: 'no-such-merchant', data } }), ErrorCode.InvalidAppId);
    expectPlain(await t.raw({ path: '/user/getCoinList', form: { app_id: 'x'.repeat(500), data } }), ErrorCode.InvalidAppId);
    await assert.rejects(
      new (t.client.constructor as typeof import('@openwaas/sdk').WaasClient)({
        baseUrl: t.baseUrl,
        appId: 'unknown-app',
        privateKey: t.merchantPrivateKeyPem,
        walletPublicKey: t.walletPublicKeyPem,
      }).getCoinList(),
      (e: unknown) => e instanceof WaasError && e.code === ErrorCode.InvalidAppId,
    );
  });

  it('100016: a disabled merchant gets an enveloped refusal', async () => {
    const off = await t.addMerchant({ inactive: true });
    await assert.rejects(off.client.getCoinList(), (e: unknown) => e instanceof WaasError && e.code === ErrorCode.MerchantExpired);
  });

  it('100007: a caller outside the IP allowlist gets an enveloped refusal; inside passes', async () => {
    const fenced = await t.addMerchant({ ipAllowlist: ['10.0.0.0/8', '2001:db8::1'] });
    await assert.rejects(fenced.client.getCoinList(), (e: unknown) => e instanceof WaasError && e.code === ErrorCode.IllegalIp);
    const loopback = await t.addMerchant({ ipAllowlist: ['127.0.0.0/8'] });
    assert.equal((await loopback.client.getCoinList()).length, 3);
    const exact = await t.addMerchant({ ipAllowlist: ['127.0.0.1'] });
    assert.equal((await exact.client.getCoinList()).length, 3);
  });

  it('100005: no registered merchant key → plain JSON, HTTP 200', async () => {
    const keyless = await t.addMerchant({ registerKey: false });
    expectPlain(await t.raw({ path: '/user/getCoinList', form: { app_id: keyless.appId, data: t.sealRequest({}) } }), ErrorCode.DecryptFailed);
    await assert.rejects(keyless.client.getCoinList(), (e: unknown) => e instanceof WaasError && e.code === ErrorCode.DecryptFailed);
  });

  it('100004 naming time: missing, malformed, or outside the window', async () => {
    // The service's own clock stands still, so the window's edges are exact whatever the load.
    const nowMs = Date.UTC(2026, 0, 1, 12);
    const fixed = await startTestService({ kind, config: { requestTimeWindowMs: 60_000 }, clock: { nowMs: () => nowMs } });
    try {
      const key = parsePrivateKey(fixed.merchantPrivateKeyPem);
      const ask = (time: unknown) => {
        const fields: Record<string, unknown> = { charset: 'utf-8', version: 'v2' };
        if (time !== undefined) fields['time'] = time;
        return fixed.raw({ path: '/user/getCoinList', form: { app_id: fixed.appId, data: seal(fields, key) } });
      };
      const cases: Array<[string, unknown]> = [
        ['missing', undefined],
        ['empty', ''],
        ['letters', 'yesterday'],
        ['seconds, not ms', Math.floor(nowMs / 1000)],
        ['too old', nowMs - 60_001],
        ['too new', nowMs + 60_001],
        ['an object', { ms: nowMs }],
      ];
      for (const [label, time] of cases) {
        const envelope = expectEnveloped(fixed, await ask(time), ErrorCode.InvalidParameter);
        assert.match(envelope.msg, /^time /, label);
      }
      // On the window's edges, as a string and as a number.
      expectEnveloped(fixed, await ask(String(nowMs - 60_000)), '0');
      expectEnveloped(fixed, await ask(nowMs + 60_000), '0');
    } finally {
      await fixed.close();
    }
  });

  it('table of bad inputs: right code, never 5xx, nothing written', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const mine = parsePrivateKey(t.merchantPrivateKeyPem);
    const good = t.sealRequest({ email: 'never-written@example.com' });
    const now = () => ({ time: Date.now(), charset: 'utf-8', version: 'v2' });
    const { uid } = await t.client.registerEmail({ email: 'bad-input-owner@example.com' });
    const before = await rowCounts(t);

    type Case = { label: string; path: string; form?: Record<string, string>; body?: string; contentType?: string; plain?: string; status?: number; code?: string; msg?: RegExp };
    const cases: Case[] = [
      { label: 'bad base64', path: '/user/registerEmail', form: { app_id: t.appId, data: '***not base64***' }, plain: ErrorCode.DecryptFailed },
      { label: 'impossible base64 length', path: '/user/registerEmail', form: { app_id: t.appId, data: 'abcde' }, plain: ErrorCode.DecryptFailed },
      { label: 'wrong key', path: '/user/registerEmail', form: { app_id: t.appId, data: seal({ ...now(), email: 'x@example.com' }, stranger) }, plain: ErrorCode.DecryptFailed },
      { label: 'truncated block', path: '/user/registerEmail', form: { app_id: t.appId, data: Buffer.from(good, 'base64url').subarray(0, 200).toString('base64url') }, plain: ErrorCode.DecryptFailed },
      { label: 'a block missing its tail', path: '/user/registerEmail', form: { app_id: t.appId, data: good.slice(0, -10) }, plain: ErrorCode.DecryptFailed },
      { label: 'not JSON', path: '/user/registerEmail', form: { app_id: t.appId, data: sealText('email=x@example.com', mine) }, plain: ErrorCode.DecryptFailed },
      { label: 'JSON array', path: '/user/registerEmail', form: { app_id: t.appId, data: seal([now()], mine) }, code: ErrorCode.InvalidParameter, msg: /^data must be a JSON object/ },
      { label: 'JSON string', path: '/user/registerEmail', form: { app_id: t.appId, data: seal('hello', mine) }, code: ErrorCode.InvalidParameter, msg: /^data must be a JSON object/ },
      { label: 'JSON null', path: '/user/registerEmail', form: { app_id: t.appId, data: seal(null, mine) }, code: ErrorCode.InvalidParameter, msg: /^data must be a JSON object/ },
      { label: 'empty data', path: '/user/registerEmail', form: { app_id: t.appId, data: '' }, plain: ErrorCode.DecryptFailed },
      { label: 'no data', path: '/user/registerEmail', form: { app_id: t.appId }, plain: ErrorCode.DecryptFailed },
      { label: 'not UTF-8', path: '/user/registerEmail', form: { app_id: t.appId, data: sealText('', mine) + '' }, plain: ErrorCode.DecryptFailed },
      { label: 'broken JSON body', path: '/user/registerEmail', body: '{"app_id":', contentType: 'application/json', plain: ErrorCode.InvalidParameter },
      { label: 'JSON body with object data', path: '/user/registerEmail', body: JSON.stringify({ app_id: t.appId, data: { email: 'x' } }), contentType: 'application/json', plain: ErrorCode.DecryptFailed },
      { label: 'email of the wrong type', path: '/user/registerEmail', form: { app_id: t.appId, data: t.sealRequest({ email: { address: 'x@example.com' } }) }, code: ErrorCode.InvalidParameter, msg: /^email/ },
      { label: 'email array', path: '/user/registerEmail', form: { app_id: t.appId, data: t.sealRequest({ email: ['a@example.com'] }) }, code: ErrorCode.InvalidParameter, msg: /^email/ },
      { label: 'email of 101 chars', path: '/user/registerEmail', form: { app_id: t.appId, data: t.sealRequest({ email: 'e'.repeat(101) }) }, code: ErrorCode.InvalidParameter, msg: /^email/ },
      { label: 'missing email', path: '/user/registerEmail', form: { app_id: t.appId, data: t.sealRequest({}) }, code: ErrorCode.InvalidParameter, msg: /^email/ },
      { label: 'mobile of 65 chars', path: '/user/createUser', form: { app_id: t.appId, data: t.sealRequest({ country: '86', mobile: '1'.repeat(65) }) }, code: ErrorCode.InvalidParameter, msg: /^mobile/ },
      { label: 'country of the wrong type', path: '/user/createUser', form: { app_id: t.appId, data: t.sealRequest({ country: true, mobile: '13800138000' }) }, code: ErrorCode.InvalidParameter, msg: /^country/ },
      { label: 'uid not a number', path: '/account/getDepositAddress', form: { app_id: t.appId, data: t.sealRequest({ uid: 'abc', symbol: 'ETH' }) }, code: ErrorCode.InvalidParameter, msg: /^uid/ },
      { label: 'uid negative', path: '/account/getDepositAddress', form: { app_id: t.appId, data: t.sealRequest({ uid: -1, symbol: 'ETH' }) }, code: ErrorCode.InvalidParameter, msg: /^uid/ },
      { label: 'uid fractional', path: '/account/getDepositAddress', form: { app_id: t.appId, data: t.sealRequest({ uid: 1.5, symbol: 'ETH' }) }, code: ErrorCode.InvalidParameter, msg: /^uid/ },
      { label: 'uid boolean', path: '/account/getDepositAddress', form: { app_id: t.appId, data: t.sealRequest({ uid: true, symbol: 'ETH' }) }, code: ErrorCode.InvalidParameter, msg: /^uid/ },
      { label: 'symbol a number', path: '/account/getDepositAddress', form: { app_id: t.appId, data: t.sealRequest({ uid, symbol: 5 }) }, code: ErrorCode.InvalidParameter, msg: /^symbol/ },
      { label: 'symbol of 65 chars', path: '/account/getDepositAddress', form: { app_id: t.appId, data: t.sealRequest({ uid, symbol: 'E'.repeat(65) }) }, code: ErrorCode.InvalidParameter, msg: /^symbol/ },
      { label: 'address of 129 chars', path: '/account/getDepositAddressInfo', form: { app_id: t.appId, data: t.sealRequest({ address: 'a'.repeat(129) }) }, code: ErrorCode.InvalidParameter, msg: /^address/ },
      { label: 'ids item of 65 chars', path: '/billing/withdrawList', form: { app_id: t.appId, data: t.sealRequest({ ids: 'r'.repeat(65) }) }, code: ErrorCode.InvalidParameter, msg: /^ids/ },
      { label: '101 ids', path: '/billing/depositList', form: { app_id: t.appId, data: t.sealRequest({ ids: Array.from({ length: 101 }, (_, i) => i + 1).join(',') }) }, code: ErrorCode.InvalidParameter, msg: /^ids/ },
      { label: 'non-numeric deposit id', path: '/billing/depositList', form: { app_id: t.appId, data: t.sealRequest({ ids: '1,two' }) }, code: ErrorCode.InvalidParameter, msg: /^ids/ },
      { label: 'max_id not a number', path: '/billing/syncDepositList', form: { app_id: t.appId, data: t.sealRequest({ max_id: 'latest' }) }, code: ErrorCode.InvalidParameter, msg: /^max_id/ },
      { label: 'bad ids_type', path: '/account/transferList', form: { app_id: t.appId, data: t.sealRequest({ ids: 'a', ids_type: 'txid' }) }, code: ErrorCode.InvalidParameter, msg: /^ids_type/ },
      { label: 'huge body', path: '/user/registerEmail', body: `app_id=${t.appId}&data=${'A'.repeat(100 * 1024)}`, plain: ErrorCode.InvalidParameter, status: 413 },
    ];
    for (const c of cases) {
      const res = await t.raw({ path: c.path, ...(c.form ? { form: c.form } : {}), ...(c.body !== undefined ? { body: c.body } : {}), ...(c.contentType ? { contentType: c.contentType } : {}) });
      assert.ok(res.status < 500, `${c.label}: no 5xx (got ${res.status} ${res.text})`);
      if (c.plain) {
        expectPlain(res, c.plain, c.status ?? 200);
      } else {
        const envelope = expectEnveloped(t, res, c.code!);
        if (c.msg) assert.match(envelope.msg, c.msg, `${c.label}: ${envelope.msg}`);
      }
    }
    assert.deepEqual(await rowCounts(t), before, 'nothing written');
  });

  it('unknown route → 404 without envelope; unknown method → 404', async () => {
    const res = await fetch(`${t.baseUrl}/api/v2/user/nope`, { method: 'POST' });
    assert.equal(res.status, 404);
    const put = await fetch(`${t.baseUrl}/api/v2/user/getCoinList`, { method: 'PUT' });
    assert.equal(put.status, 404);
    assert.equal((await fetch(`${t.baseUrl}/api/v1/user/getCoinList`)).status, 404);
    const client = new (t.client.constructor as typeof import('@openwaas/sdk').WaasClient)({
      baseUrl: `${t.baseUrl}/wrong`,
      appId: t.appId,
      privateKey: t.merchantPrivateKeyPem,
      walletPublicKey: t.walletPublicKeyPem,
    });
    await assert.rejects(client.getCoinList(), (e: unknown) => e instanceof WaasTransportError && e.status === 404);
  });

  it('an unexpected failure answers an enveloped 100001 without details', async () => {
    // A withdrawal pointing at a coin that does not exist makes formatting throw.
    const now = Date.now();
    const broken = await t.ctx.store.db
      .insertInto('withdrawals')
      .values({
        merchant_id: Number(t.merchant.id), request_id: 'broken-row', uid: 1, coin_id: 999_999, symbol: 'GHOST', amount: '1', withdraw_fee: '0',
        withdraw_fee_symbol: 'GHOST', fee_symbol: 'GHOST', real_fee: '0', address_from: '', address_to: '0x', txid: '', confirmations: 0,
        saas_status: 0, company_status: 0, status: 0, withdraw_type: 1, review_reason: '', created_at: now, updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    try {
      const res = await t.raw({ path: '/billing/syncWithdrawList', form: { app_id: t.appId, data: t.sealRequest({ max_id: 0 }) } });
      const envelope = expectEnveloped(t, res, ErrorCode.SystemError);
      assert.equal(envelope.msg, 'system error');
      assert.equal(envelope.data, undefined);
    } finally {
      await t.ctx.store.db.deleteFrom('withdrawals').where('id', '=', Number(broken.id)).execute();
    }
  });

  it('responses are sealed with the merchant’s own wallet key (another merchant cannot open them)', async () => {
    const other = await t.addMerchant();
    const res = await t.raw({ path: '/user/getCoinList', form: { app_id: other.appId, data: t.sealRequest({}, other) } });
    expectEnveloped(t, res, '0', other);
    assert.throws(() => t.openReply(res.json!['data'] as string));
  });
});
