/** Four eyes for admin changes: change requests over the operator API, on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listOperatorAudit } from '../src/modules/operator-audit/index.js';
import { operatorCall } from './support/operators.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

eachDatabase('change requests: single-admin bootstrap', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true } });
  });
  after(async () => t?.close());

  test('with one admin a sensitive change applies directly and is audited with before and after', async () => {
    const res = await operatorCall(t, 'PATCH', `/merchants/${t.appId}`, { body: { notify_url: 'https://one.example.test/notify' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.notify_url, 'https://one.example.test/notify');
    const list = await operatorCall(t, 'GET', '/change-requests');
    assert.deepEqual(list.json.change_requests, []);
    const entries = await listOperatorAudit(t.ctx.store.db, { filter: { action: 'PATCH /merchants/:appId' }, limit: 500 });
    const entry = entries.at(-1)!;
    assert.equal(entry.outcome, 'done');
    assert.equal((entry.after as { notify_url: string }).notify_url, 'https://one.example.test/notify');
    assert.notEqual((entry.before as { notify_url: string | null }).notify_url, 'https://one.example.test/notify');
  });
});

eachDatabase('change requests: two admins', (kind) => {
  let t: TestService;
  let second: string;
  let third: string;
  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true, adjustmentReviewAbove: { ETH: '10' } } });
    second = await t.operatorTokenFor(['admin'], 'second-admin');
    third = await t.operatorTokenFor(['admin'], 'third-admin');
  });
  after(async () => t?.close());

  const merchant = async () => (await operatorCall(t, 'GET', `/merchants/${t.appId}`)).json;

  test('a change of admin A waits, A cannot decide it, admin B approves and it applies', async () => {
    const url = 'https://four-eyes.example.test/notify';
    const asked = await operatorCall(t, 'PATCH', `/merchants/${t.appId}`, { body: { notify_url: url } });
    assert.equal(asked.status, 202, asked.text);
    assert.equal(asked.json.state, 'pending');
    assert.equal(asked.json.kind, 'PATCH /merchants/:appId');
    assert.equal(asked.json.target, `/merchants/${t.appId}`);
    assert.equal(asked.json.requested_by.name, 'test-admin');
    assert.notEqual(asked.json.before.notify_url, url);
    assert.notEqual((await merchant()).notify_url, url, 'nothing changes before the approval');

    const own = await operatorCall(t, 'POST', `/change-requests/${asked.json.id}/approve`, { body: {} });
    assert.equal(own.status, 409);
    assert.equal(own.json.error, 'own_change_request');
    const ownReject = await operatorCall(t, 'POST', `/change-requests/${asked.json.id}/reject`, { body: { reason: 'changed my mind' } });
    assert.equal(ownReject.json.error, 'own_change_request');
    assert.notEqual((await merchant()).notify_url, url);

    const approved = await operatorCall(t, 'POST', `/change-requests/${asked.json.id}/approve`, { token: second, body: {} });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.state, 'approved');
    assert.equal(approved.json.decided_by.name, 'second-admin');
    assert.equal(approved.json.result.notify_url, url);
    assert.equal((await merchant()).notify_url, url);

    const shown = await operatorCall(t, 'GET', `/change-requests/${asked.json.id}`, { token: await t.operatorTokenFor(['viewer'], 'cr-viewer') });
    assert.equal(shown.status, 200);
    assert.equal(shown.json.state, 'approved');
    const again = await operatorCall(t, 'POST', `/change-requests/${asked.json.id}/approve`, { token: third, body: {} });
    assert.equal(again.status, 409);
    assert.equal(again.json.error, 'conflict');

    // The request and the approval are in the audit trail with the record before and after.
    const requested = (await listOperatorAudit(t.ctx.store.db, { filter: { action: 'PATCH /merchants/:appId' }, limit: 500 })).at(-1)!;
    assert.equal(requested.operator_name, 'test-admin');
    assert.equal((requested.after as { change_request: number }).change_request, asked.json.id);
    const decision = (await listOperatorAudit(t.ctx.store.db, { filter: { action: 'POST /change-requests/:id/approve', outcome: 'done' }, limit: 500 })).at(-1)!;
    assert.equal(decision.operator_name, 'second-admin');
    assert.equal((decision.after as { record: { notify_url: string } }).record.notify_url, url);
    assert.notEqual((decision.before as { record: { notify_url: string | null } }).record.notify_url, url);
  });

  test('settings other than the callback URLs and the key apply directly', async () => {
    const res = await operatorCall(t, 'PATCH', `/merchants/${t.appId}`, { body: { name: 'Renamed directly' } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await merchant()).name, 'Renamed directly');
  });

  test('a rejection changes nothing and needs a reason', async () => {
    const asked = await operatorCall(t, 'DELETE', '/policies/destinations');
    const set = await operatorCall(t, 'PUT', '/policies/velocity/ETH', { body: { scope: 'user', window_s: 3600, max_count: 5 } });
    assert.equal(set.status, 202, set.text);
    assert.equal(asked.status, 202, asked.text);
    const noReason = await operatorCall(t, 'POST', `/change-requests/${set.json.id}/reject`, { token: second, body: {} });
    assert.equal(noReason.status, 400);
    const rejected = await operatorCall(t, 'POST', `/change-requests/${set.json.id}/reject`, { token: second, body: { reason: 'too tight' } });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.json.state, 'rejected');
    assert.equal(rejected.json.reason, 'too tight');
    assert.deepEqual((await operatorCall(t, 'GET', '/policies')).json.velocity, []);
    const pending = await operatorCall(t, 'GET', '/change-requests?state=pending');
    assert.deepEqual(pending.json.change_requests.map((r: { id: number }) => r.id), [asked.json.id]);
    await operatorCall(t, 'POST', `/change-requests/${asked.json.id}/reject`, { token: second, body: { reason: 'tidy' } });
  });

  test('two admins approving at once apply the change once', async () => {
    const { uid } = await t.client.registerEmail({ email: `cr-race-${kind}@example.test` });
    const asked = await operatorCall(t, 'POST', '/balances/credit', { body: { uid: Number(uid), symbol: 'ETH', amount: '25', reason: 'large correction 25' } });
    assert.equal(asked.status, 202, asked.text);
    assert.equal(asked.json.target, `/users/${uid}`);
    const mine = async () => (await operatorCall(t, 'GET', '/adjustments')).json.adjustments.filter((a: { memo: string }) => a.memo === 'large correction 25');
    assert.deepEqual(await mine(), []);
    const answers = await Promise.all([second, third, second, third].map((token) => operatorCall(t, 'POST', `/change-requests/${asked.json.id}/approve`, { token, body: {} })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409]);
    const adjustments = await mine();
    assert.equal(adjustments.length, 1);
    // The journal names the approving admin, who made the move.
    assert.ok(['second-admin', 'third-admin'].includes(adjustments[0].operator_name));
    const user = (await operatorCall(t, 'GET', `/users/${uid}`)).json;
    assert.equal(user.balances.find((b: { symbol: string }) => b.symbol === 'ETH').normal, '25');
    const audit = await operatorCall(t, 'GET', '/audit');
    assert.equal(audit.json.ok, true, JSON.stringify(audit.json));
  });

  test('an adjustment up to the threshold applies directly, above it waits', async () => {
    const { uid } = await t.client.registerEmail({ email: `cr-threshold-${kind}@example.test` });
    const small = await operatorCall(t, 'POST', '/balances/credit', { body: { uid: Number(uid), symbol: 'ETH', amount: '10', reason: 'small correction' } });
    assert.equal(small.status, 200, small.text);
    const big = await operatorCall(t, 'POST', '/balances/debit', { body: { uid: Number(uid), symbol: 'ETH', amount: '10.5', reason: 'large correction' } });
    assert.equal(big.status, 202, big.text);
    // A coin without a threshold: every adjustment waits.
    const other = await operatorCall(t, 'POST', '/balances/credit', { body: { uid: Number(uid), symbol: 'USDT', amount: '1', reason: 'no threshold' } });
    assert.equal(other.status, 202, other.text);
    // Approved, the debit is refused (more than the balance): the request fails, nothing moves.
    const failed = await operatorCall(t, 'POST', `/change-requests/${big.json.id}/approve`, { token: second, body: {} });
    assert.equal(failed.status, 200, failed.text);
    assert.equal(failed.json.state, 'failed');
    assert.equal(failed.json.error.code, 'insufficient_balance');
    const user = (await operatorCall(t, 'GET', `/users/${uid}`)).json;
    assert.equal(user.balances.find((b: { symbol: string }) => b.symbol === 'ETH').normal, '10');
  });

  test('roles, coins, blacklist removals and policies wait for a second admin', async () => {
    await t.operatorTokenFor(['viewer'], 'to-promote');
    const roles = await operatorCall(t, 'PUT', '/operators/to-promote/roles', { body: { roles: ['treasurer'] } });
    assert.equal(roles.status, 202, roles.text);
    assert.deepEqual(roles.json.before.roles, ['viewer']);
    const coin = await operatorCall(t, 'PATCH', '/coins/ETH', { body: { confirmations: 7 } });
    assert.equal(coin.status, 202, coin.text);
    const listed = await operatorCall(t, 'POST', '/blacklist', { body: { address: '0x' + 'b'.repeat(40), reason: 'stolen funds' } });
    assert.equal(listed.status, 201, 'adding to the blacklist applies directly');
    const unlisted = await operatorCall(t, 'DELETE', `/blacklist/${'0x' + 'b'.repeat(40)}`);
    assert.equal(unlisted.status, 202, unlisted.text);
    const policy = await operatorCall(t, 'PUT', '/policies/approval/ETH', { body: { above_amount: '5', approvals_required: 2 } });
    assert.equal(policy.status, 202, policy.text);
    // An allowlisted destination pays without review: adding one waits; taking one off applies at once.
    const destination = '0x' + 'D'.repeat(40);
    const allow = await operatorCall(t, 'POST', `/merchants/${t.appId}/allowlist`, { body: { symbol: 'ETH', address: destination } });
    assert.equal(allow.status, 202, allow.text);
    assert.deepEqual((await operatorCall(t, 'GET', `/merchants/${t.appId}/allowlist`)).json.destinations, [], 'nothing listed before the approval');
    for (const r of [roles, coin, unlisted, policy, allow]) {
      const ok = await operatorCall(t, 'POST', `/change-requests/${r.json.id}/approve`, { token: third, body: { reason: 'checked' } });
      assert.equal(ok.json.state, 'approved', ok.text);
    }
    const operators = (await operatorCall(t, 'GET', '/operators')).json.operators;
    assert.deepEqual(operators.find((o: { name: string }) => o.name === 'to-promote').roles, ['treasurer']);
    assert.equal((await operatorCall(t, 'GET', '/coins')).json.coins.find((c: { symbol: string }) => c.symbol === 'ETH').confirmations, 7);
    assert.deepEqual((await operatorCall(t, 'GET', '/blacklist')).json.addresses, []);
    assert.equal((await operatorCall(t, 'GET', '/policies')).json.approval[0].updated_by, 'third-admin');
    const allowed = (await operatorCall(t, 'GET', `/merchants/${t.appId}/allowlist`)).json.destinations as Array<{ address: string }>;
    assert.deepEqual(allowed.map((d) => d.address), [destination.toLowerCase()], 'listed in canonical form once approved');
    const off = await operatorCall(t, 'DELETE', `/merchants/${t.appId}/allowlist?symbol=ETH&address=${destination}`);
    assert.equal(off.status, 204, off.text);
    assert.deepEqual((await operatorCall(t, 'GET', `/merchants/${t.appId}/allowlist`)).json.destinations, []);
  });
});
