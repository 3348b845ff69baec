import assert from 'node:assert/strict';
import { after, before, it, mock } from 'node:test';
import { decodeBase64Url, ErrorCode } from '@openwaas/sdk';
import { loadConfig } from '../src/config/config.js';
import { countSeenEnvelopes, envelopeDigest, recordEnvelope, replayClockMarginMs, replayPruneBatchMax, replayPruneIntervalMs } from '../src/modules/envelopes/index.js';
import { createService, type Service } from '../src/service.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

const windowMs = 60_000;

interface Answer {
  status: number;
  code: string;
  msg: string;
  data?: unknown;
}

/** POSTs a form to `path` of a service and opens the enveloped answer. */
async function post(t: TestService, baseUrl: string, path: string, form: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${baseUrl}/api/v2${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const json = (await response.json()) as { data?: unknown };
  assert.equal(response.status, 200, `HTTP 200 for an enveloped answer, got ${response.status} ${JSON.stringify(json)}`);
  assert.equal(typeof json.data, 'string', JSON.stringify(json));
  return { status: response.status, ...t.openReply(json.data as string) };
}

/** The merchant's users, through the API (a fresh envelope each time). */
async function userEmails(t: TestService): Promise<string[]> {
  const users = await t.client.syncUserList({ max_id: 0 });
  return users.map((u) => u.email);
}

/** A second API process on the same database (same SQLite file or PostgreSQL schema). */
async function secondInstance(t: TestService): Promise<{ baseUrl: string; service: Service }> {
  const config = loadConfig({ databaseUrl: t.database.url, host: '127.0.0.1', port: 0, logLevel: 'silent', workers: false, rsaWorkers: 1, requestTimeWindowMs: windowMs, insecureDevKeys: true }, {});
  const service = await createService(config);
  return { baseUrl: await service.listen(), service };
}

eachDatabase('API replay guard', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind, config: { requestTimeWindowMs: windowMs } });
  });
  after(() => t?.close());

  it('the exact /user/info body replayed to /user/registerEmail → 100004 "envelope replayed", no user registered', async () => {
    const email = `replay-${kind}@example.test`;
    const form = { app_id: t.appId, data: t.sealRequest({ email }) };
    const lookup = await post(t, t.baseUrl, '/user/info', form);
    assert.equal(lookup.code, ErrorCode.UserNotFound);

    const replayed = await post(t, t.baseUrl, '/user/registerEmail', form);
    assert.equal(replayed.code, ErrorCode.InvalidParameter);
    assert.equal(replayed.msg, 'envelope replayed');
    assert.equal(replayed.data, undefined);
    assert.ok(!(await userEmails(t)).includes(email), 'the replay registered no user');

    // Respelled (padding, line breaks, the standard alphabet): the same bytes, the same envelope.
    const respelled = form.data.replace(/-/g, '+').replace(/_/g, '/').replace(/(.{64})/g, '$1\r\n') + '==';
    assert.deepEqual(decodeBase64Url(respelled), decodeBase64Url(form.data));
    const again = await post(t, t.baseUrl, '/user/registerEmail', { app_id: t.appId, data: respelled });
    assert.equal(again.code, ErrorCode.InvalidParameter);
    assert.equal(again.msg, 'envelope replayed');
    assert.ok(!(await userEmails(t)).includes(email));
  });

  it('the same body on the same endpoint is a retry: the answer a retry gets, never executed twice', async () => {
    const email = `retry-${kind}@example.test`;
    const info = { app_id: t.appId, data: t.sealRequest({ email }) };
    assert.equal((await post(t, t.baseUrl, '/user/info', info)).code, ErrorCode.UserNotFound);
    assert.equal((await post(t, t.baseUrl, '/user/info', info)).code, ErrorCode.UserNotFound);

    const register = { app_id: t.appId, data: t.sealRequest({ email }) };
    const first = await post(t, t.baseUrl, '/user/registerEmail', register);
    assert.equal(first.code, ErrorCode.Success, JSON.stringify(first));
    const retry = await post(t, t.baseUrl, '/user/registerEmail', register);
    // What registering the same email again answers (the endpoint's own rule for a repeat).
    const fresh = await post(t, t.baseUrl, '/user/registerEmail', { app_id: t.appId, data: t.sealRequest({ email }) });
    assert.equal(fresh.code, ErrorCode.RegistrationFailed);
    assert.deepEqual({ code: retry.code, msg: retry.msg }, { code: fresh.code, msg: fresh.msg });
    assert.equal((await userEmails(t)).filter((e) => e === email).length, 1);

    // The lookup envelope, once a read, is now a read of the registered user.
    const found = await post(t, t.baseUrl, '/user/info', info);
    assert.equal(found.code, ErrorCode.Success);
    assert.deepEqual(found.data, { uid: (first.data as { uid: number }).uid, nickname: '' });
  });

  it('one envelope sent to two endpoints at once: exactly one endpoint takes it', async () => {
    const email = `race-${kind}@example.test`;
    const form = { app_id: t.appId, data: t.sealRequest({ email }) };
    const calls = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? '/user/info' : '/user/registerEmail'));
    const answers = await Promise.all(calls.map(async (path) => ({ path, answer: await post(t, t.baseUrl, path, form) })));
    const takers = new Set(answers.filter((a) => a.answer.msg !== 'envelope replayed').map((a) => a.path));
    assert.equal(takers.size, 1, JSON.stringify(answers));
    for (const a of answers) if (!takers.has(a.path)) assert.equal(a.answer.code, ErrorCode.InvalidParameter);
    const registered = (await userEmails(t)).filter((e) => e === email).length;
    assert.equal(registered, takers.has('/user/registerEmail') ? 1 : 0);
  });

  it('two API processes on one database: a replay across them is refused, a retry across them is a retry', async () => {
    const other = await secondInstance(t);
    try {
      const email = `two-${kind}@example.test`;
      const form = { app_id: t.appId, data: t.sealRequest({ email }) };
      assert.equal((await post(t, t.baseUrl, '/user/info', form)).code, ErrorCode.UserNotFound);
      const replayed = await post(t, other.baseUrl, '/user/registerEmail', form);
      assert.deepEqual({ code: replayed.code, msg: replayed.msg }, { code: ErrorCode.InvalidParameter, msg: 'envelope replayed' });
      assert.equal((await post(t, other.baseUrl, '/user/info', form)).code, ErrorCode.UserNotFound);

      // And the other way round: first accepted by the second process.
      const second = { app_id: t.appId, data: t.sealRequest({ email, nonce: 'b' }) };
      assert.equal((await post(t, other.baseUrl, '/user/info', second)).code, ErrorCode.UserNotFound);
      assert.equal((await post(t, t.baseUrl, '/user/registerEmail', second)).msg, 'envelope replayed');
      assert.ok(!(await userEmails(t)).includes(email));
    } finally {
      await other.service.close();
    }
  });

  it('one SDK client calling endpoints with equal params in one millisecond is not taken for a replay', async () => {
    // Frozen clock (the service's too, in this process): without a per-client increasing `time`
    // the three envelopes below would be byte-identical.
    const frozenMs = Date.now();
    const now = mock.method(Date, 'now', () => frozenMs);
    try {
      const lists = await Promise.all([t.client.syncUserList({ max_id: 0 }), t.client.syncDepositList({ max_id: 0 }), t.client.syncWithdrawList({ max_id: 0 }), t.client.syncUserList({ max_id: 0 })]);
      assert.equal(lists.length, 4);
    } finally {
      now.mock.restore();
    }
  });

  it('envelopes are kept per merchant: the same bytes under another merchant are that merchant\'s own', async () => {
    // Test merchants share the merchants' RSA pair, so one envelope opens for both.
    const other = await t.addMerchant();
    const data = t.sealRequest({ email: `merchant-${kind}@example.test` });
    assert.equal((await post(t, t.baseUrl, '/user/info', { app_id: t.appId, data })).code, ErrorCode.UserNotFound);
    const response = await fetch(`${t.baseUrl}/api/v2/user/info`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ app_id: other.appId, data }).toString(),
    });
    const opened = t.openReply(((await response.json()) as { data: string }).data, other);
    assert.equal(opened.code, ErrorCode.UserNotFound);
  });
});

eachDatabase('API replay guard pruning', (kind) => {
  let t: TestService;
  const clock = { offsetMs: 0, nowMs: () => Date.now() + clock.offsetMs };
  before(async () => {
    t = await startTestService({ kind, clock, config: { requestTimeWindowMs: windowMs } });
  });
  after(() => t?.close());

  /** A call at the service's current time (so its `time` is in the window of the moved clock). */
  const call = async (email: string) => post(t, t.baseUrl, '/user/info', { app_id: t.appId, data: t.sealRequest({ email, time: clock.nowMs() }) });

  it('rows expire 2 × window + margin after acceptance and are deleted by later calls, one bounded batch per call', async () => {
    assert.equal((await call('first@example.test')).code, ErrorCode.UserNotFound);
    assert.equal(await countSeenEnvelopes(t.ctx.store.db), 1);

    // Just before expiry the row stays, however often the guard prunes.
    clock.offsetMs += 2 * windowMs + replayClockMarginMs - 1_000;
    assert.equal((await call('second@example.test')).code, ErrorCode.UserNotFound);
    assert.equal(await countSeenEnvelopes(t.ctx.store.db), 2);

    // A backlog larger than one batch, as after a burst: rows already expired.
    const merchantId = Number(t.merchant.id);
    const expiredAtMs = clock.nowMs() - 1;
    for (let i = 0; i < replayPruneBatchMax + 3; i++) {
      await recordEnvelope(t.ctx.store.db, { merchantId, digest: envelopeDigest(Buffer.from(`backlog ${i}`)), endpoint: 'getUserInfo', nowMs: expiredAtMs - windowMs, expiresAtMs: expiredAtMs });
    }
    // Past the first row's expiry and past the prune interval: the next call prunes one batch.
    clock.offsetMs += 2_000 + replayPruneIntervalMs;
    const now = clock.nowMs();
    assert.equal(await countSeenEnvelopes(t.ctx.store.db, { expiredAtMs: now }), replayPruneBatchMax + 4);
    assert.equal((await call('third@example.test')).code, ErrorCode.UserNotFound);
    assert.equal(await countSeenEnvelopes(t.ctx.store.db, { expiredAtMs: now }), 4, 'one batch per call');
    // The batch came back full: the next call takes the rest at once.
    assert.equal((await call('fourth@example.test')).code, ErrorCode.UserNotFound);
    assert.equal(await countSeenEnvelopes(t.ctx.store.db, { expiredAtMs: clock.nowMs() }), 0);
    // Left: the envelopes of the second, third and fourth calls, still inside their lifetime.
    assert.equal(await countSeenEnvelopes(t.ctx.store.db), 3);
  });
});
