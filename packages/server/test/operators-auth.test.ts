/**
 * Operator accounts: scrypt passwords, RFC 6238 TOTP, login → session → me → logout, API token
 * expiry and revocation, disabled accounts, the per-account lockout and its end — all on a fixed
 * clock — and no secret in any answer beyond its one-time display.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { operatorEndedSessionKeepMs, operatorLoginFreeFailuresMax, operatorLoginLockoutBaseMs, operatorSessionTtlMs } from '../src/limits.js';
import { createApiToken, disableOperator, hashPassword, hotp, lockoutMs, matchTotp, onAuthFailure, resetOperator, revokeApiToken, setOperatorRoles, verifyPassword, type AuthFailure } from '../src/modules/operators/index.js';
import { TestClock } from './money-fixtures.js';
import { enrolOperator, operatorCall, totpCodeAt } from './support/operators.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

describe('operator passwords', () => {
  it('hashes with scrypt, a salt per hash and the parameters kept; verifies only the same password', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    assert.match(a, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b, 'a fresh salt each time');
    assert.equal(await verifyPassword('correct horse battery staple', a), true);
    assert.equal(await verifyPassword('correct horse battery stapl', a), false);
    assert.equal(await verifyPassword('', a), false);
    assert.equal(await verifyPassword('x'.repeat(2_000), a), false, 'an oversized password is refused before scrypt');
    assert.equal(await verifyPassword('anything', 'scrypt$bad'), false);
  });
});

describe('TOTP (RFC 6238, SHA-1)', () => {
  // RFC 6238 appendix B: the SHA-1 seed is the ASCII "12345678901234567890", 8 digits.
  const seed = Buffer.from('12345678901234567890', 'ascii');
  const vectors: Array<[seconds: number, code: string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];

  it('gives the test vectors of RFC 6238 appendix B', () => {
    for (const [seconds, code] of vectors) assert.equal(hotp(seed, Math.floor(seconds / 30), 8), code, `T = ${seconds}`);
  });

  it('accepts the 6-digit code of now and of one step either side, never two steps off, and each step once', () => {
    const nowMs = 1111111111_000;
    const step = Math.floor(nowMs / 30_000);
    assert.equal(hotp(seed, step), '050471', '6 digits: the last six of the 8-digit vector');
    for (const offset of [-1, 0, 1]) assert.equal(matchTotp(seed, hotp(seed, step + offset), nowMs), step + offset, `offset ${offset}`);
    for (const offset of [-2, 2]) assert.equal(matchTotp(seed, hotp(seed, step + offset), nowMs), undefined, `offset ${offset}`);
    assert.equal(matchTotp(seed, hotp(seed, step), nowMs, step), undefined, 'a code already used');
    assert.equal(matchTotp(seed, hotp(seed, step + 1), nowMs, step), step + 1, 'the next step is still good');
    assert.equal(matchTotp(seed, '12345', nowMs), undefined);
    assert.equal(matchTotp(seed, 'abcdef', nowMs), undefined);
  });
});

describe('account lockout schedule', () => {
  it('is free for the first failures, then doubles from the base', () => {
    assert.equal(lockoutMs(operatorLoginFreeFailuresMax), 0);
    assert.equal(lockoutMs(operatorLoginFreeFailuresMax + 1), operatorLoginLockoutBaseMs);
    assert.equal(lockoutMs(operatorLoginFreeFailuresMax + 2), 2 * operatorLoginLockoutBaseMs);
    assert.equal(lockoutMs(1_000), 60 * 60_000, 'capped');
  });
});

eachDatabase('operator login and tokens', (kind) => {
  let t: TestService;
  const clock = new TestClock(Date.UTC(2030, 0, 15, 12));
  const failures: AuthFailure[] = [];
  let unsubscribe: () => void;

  before(async () => {
    // The lockout test speaks from several client addresses (X-Forwarded-For from loopback).
    t = await startTestService({ kind, clock, config: { operatorApi: true, trustedProxies: ['127.0.0.1'] } });
    unsubscribe = onAuthFailure((f) => failures.push(f));
  });
  after(async () => {
    unsubscribe?.();
    await t?.close();
  });

  const login = (name: string, password: string, totp: string, headers: Record<string, string> = {}) =>
    operatorCall(t, 'POST', '/auth/login', { token: null, body: { name, password, totp }, headers });

  it('logs in with name, password and TOTP: a session that /auth/me names, until logout', async () => {
    const alice = await enrolOperator(t, 'alice', ['reviewer']);
    assert.match(alice.password, /^[A-Za-z0-9_-]{24}$/);
    assert.match(alice.otpauth_uri, /^otpauth:\/\/totp\/OpenWaaS%3Aalice\?secret=[A-Z2-7]{32}&issuer=OpenWaaS&algorithm=SHA1&digits=6&period=30$/);
    const ok = await login('alice', alice.password, totpCodeAt(alice.otpauth_uri, clock.ms));
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.json.token, /^ows_[A-Za-z0-9_-]{43}$/);
    assert.equal(ok.json.expires_at, clock.ms + operatorSessionTtlMs);
    assert.deepEqual(ok.json.operator.roles, ['reviewer']);
    // Nothing secret beyond the session itself.
    for (const secret of [alice.password, new URL(alice.otpauth_uri).searchParams.get('secret')!]) assert.ok(!ok.text.includes(secret));
    assert.ok(!('password_hash' in ok.json.operator) && !('totp_secret' in ok.json.operator));

    const me = await operatorCall(t, 'GET', '/auth/me', { token: ok.json.token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.json, { operator: { id: ok.json.operator.id, name: 'alice', roles: ['reviewer'] }, token: { id: ok.json.id, kind: 'session' } });
    assert.equal((await operatorCall(t, 'GET', '/merchants', { token: ok.json.token })).status, 200, 'a reviewer reads');
    assert.equal((await operatorCall(t, 'POST', '/merchants', { token: ok.json.token, body: { name: 'x' } })).json.error, 'forbidden');

    // The same code does not log in twice.
    const replay = await login('alice', alice.password, totpCodeAt(alice.otpauth_uri, clock.ms));
    assert.equal(replay.status, 401);

    assert.equal((await operatorCall(t, 'POST', '/auth/logout', { token: ok.json.token })).status, 204);
    const after = await operatorCall(t, 'GET', '/auth/me', { token: ok.json.token });
    assert.equal(after.status, 401);
    assert.equal(after.json.error, 'unauthorized');
  });

  it('a new login deletes its operator\'s sessions that ended over a month ago; API tokens and recent sessions stay', async () => {
    const dora = await enrolOperator(t, 'dora', ['viewer']);
    const sessionRows = () => t.ctx.store.db.selectFrom('operator_tokens as k').innerJoin('operators as o', 'o.id', 'k.operator_id').select(['k.id', 'k.kind']).where('o.name', '=', 'dora').execute();
    const saved = clock.ms;
    try {
      const first = await login('dora', dora.password, totpCodeAt(dora.otpauth_uri, clock.ms));
      assert.equal(first.status, 200, first.text);
      await createApiToken(t.ctx, { name: 'dora', sourceIp: 'cli' });
      // The first session expires; a month and more later, another login clears it away.
      clock.ms += operatorSessionTtlMs + operatorEndedSessionKeepMs + 60_000;
      const second = await login('dora', dora.password, totpCodeAt(dora.otpauth_uri, clock.ms));
      assert.equal(second.status, 200, second.text);
      const rows = await sessionRows();
      assert.deepEqual(rows.filter((r) => r.kind === 'session').map((r) => Number(r.id)), [second.json.id]);
      assert.equal(rows.filter((r) => r.kind === 'api').length, 1, 'API tokens stay listed');
    } finally {
      clock.ms = saved;
    }
  });

  it('answers the same 401 for a wrong password, a wrong code and an unknown name, and reports each failure', async () => {
    const bob = await enrolOperator(t, 'bob', ['viewer']);
    failures.length = 0;
    const code = totpCodeAt(bob.otpauth_uri, clock.ms);
    const refusals = [await login('bob', 'wrong-password', code), await login('bob', bob.password, code === '000000' ? '111111' : '000000'), await login('nobody', bob.password, code)];
    for (const r of refusals) {
      assert.equal(r.status, 401);
      assert.deepEqual(r.json, { error: 'unauthorized', message: 'wrong name, password or code' });
    }
    assert.deepEqual(
      failures.map((f) => [f.kind, f.reason, f.name]),
      [
        ['login', 'wrong_credentials', 'bob'],
        ['login', 'wrong_credentials', 'bob'],
        ['login', 'unknown_account', 'nobody'],
      ],
    );
    assert.ok(!JSON.stringify(failures).includes(bob.password));
    // The address's failures end with a success.
    assert.equal((await login('bob', bob.password, code)).status, 200);
  });

  it('locks an account after repeated failed logins, from every address, and lets it in once the lockout is over', async () => {
    const carol = await enrolOperator(t, 'carol', ['viewer']);
    // Each try from another address: the lockout is the account's, not the address's.
    const from = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}` });
    for (let i = 0; i < operatorLoginFreeFailuresMax; i++) assert.equal((await login('carol', 'wrong', '000000', from(i))).status, 401, `failure ${i + 1} is free`);
    const locked = await login('carol', 'wrong', '000000', from(50));
    assert.equal(locked.status, 429);
    assert.equal(locked.json.error, 'too_many_attempts');
    assert.equal(locked.retryAfter, String(operatorLoginLockoutBaseMs / 1_000));
    // The right password waits too, from yet another address.
    const during = await login('carol', carol.password, totpCodeAt(carol.otpauth_uri, clock.ms), from(51));
    assert.equal(during.status, 429);
    assert.match(during.json.message, /too many failed logins of this account: retry after 30 s/);

    clock.ms += operatorLoginLockoutBaseMs;
    const ok = await login('carol', carol.password, totpCodeAt(carol.otpauth_uri, clock.ms), from(52));
    assert.equal(ok.status, 200, ok.text);
    // A success starts the count afresh: the next failure is free again.
    assert.equal((await login('carol', 'wrong', '000000', from(53))).status, 401);
  });

  it('refuses an API token once expired (fixed clock) or revoked, and every token of a disabled operator', async () => {
    await enrolOperator(t, 'dave', ['treasurer']);
    const token = await createApiToken(t.ctx, { name: 'dave', expiresDays: 1, sourceIp: 'cli' });
    assert.match(token.token, /^owa_[A-Za-z0-9_-]{43}$/);
    assert.equal((await operatorCall(t, 'GET', '/auth/me', { token: token.token })).json.token.kind, 'api');
    clock.ms += 86_400_000 - 1;
    assert.equal((await operatorCall(t, 'GET', '/merchants', { token: token.token })).status, 200, 'the last millisecond');
    clock.ms += 1;
    assert.equal((await operatorCall(t, 'GET', '/merchants', { token: token.token })).status, 401, 'expired');

    const second = await createApiToken(t.ctx, { name: 'dave', sourceIp: 'cli' });
    assert.equal((await operatorCall(t, 'GET', '/merchants', { token: second.token })).status, 200);
    await revokeApiToken(t.ctx, second.id);
    assert.equal((await operatorCall(t, 'GET', '/merchants', { token: second.token })).status, 401, 'revoked');

    const third = await createApiToken(t.ctx, { name: 'dave', sourceIp: 'cli' });
    // Roles are read at each request.
    await setOperatorRoles(t.ctx, 'dave', ['viewer']);
    assert.equal((await operatorCall(t, 'POST', '/balances/credit', { token: third.token, body: {} })).json.error, 'forbidden');
    await disableOperator(t.ctx, 'dave');
    assert.equal((await operatorCall(t, 'GET', '/merchants', { token: third.token })).status, 401, 'disabled');
    await assert.rejects(createApiToken(t.ctx, { name: 'dave', sourceIp: 'cli' }), /disabled/);
  });

  it('a reset gives a new password and TOTP, revokes every token and refuses the old password', async () => {
    const erin = await enrolOperator(t, 'erin', ['admin']);
    const token = await createApiToken(t.ctx, { name: 'erin', sourceIp: 'cli' });
    const reset = await resetOperator(t.ctx, 'erin');
    assert.notEqual(reset.password, erin.password);
    assert.notEqual(reset.otpauth_uri, erin.otpauth_uri);
    assert.equal((await operatorCall(t, 'GET', '/merchants', { token: token.token })).status, 401);
    clock.ms += 30_000;
    assert.equal((await login('erin', erin.password, totpCodeAt(erin.otpauth_uri, clock.ms))).status, 401);
    assert.equal((await login('erin', reset.password, totpCodeAt(reset.otpauth_uri, clock.ms))).status, 200);
  });

  it('keeps secrets out of the database in the clear: a hash of each token, the TOTP secret sealed', async () => {
    const frank = await enrolOperator(t, 'frank', ['viewer']);
    const token = await createApiToken(t.ctx, { name: 'frank', sourceIp: 'cli' });
    const row = await t.ctx.store.db.selectFrom('operators').selectAll().where('name', '=', 'frank').executeTakeFirstOrThrow();
    const secret = new URL(frank.otpauth_uri).searchParams.get('secret')!;
    assert.match(row.totp_secret, /^v1:/);
    assert.ok(!JSON.stringify(row).includes(frank.password) && !JSON.stringify(row).includes(secret));
    const tokens = await t.ctx.store.db.selectFrom('operator_tokens').selectAll().execute();
    assert.ok(!JSON.stringify(tokens).includes(token.token));
    assert.ok(tokens.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash)));
  });

  it('counts concurrent failed logins of one account exactly: none is lost to a race', async () => {
    await enrolOperator(t, 'gina', ['viewer']);
    const tries = operatorLoginFreeFailuresMax + 3;
    const answers = await Promise.all(Array.from({ length: tries }, (_v, i) => login('gina', `wrong-${i}`, '000000', { 'x-forwarded-for': `198.51.100.${i}` })));
    // Whatever order they ran in: the free ones answered 401, the rest found the account locked.
    assert.equal(answers.filter((a) => a.status === 401).length, operatorLoginFreeFailuresMax);
    assert.equal(answers.filter((a) => a.status === 429).length, tries - operatorLoginFreeFailuresMax);
    const row = await t.ctx.store.db.selectFrom('operators').select(['failed_logins', 'locked_until']).where('name', '=', 'gina').executeTakeFirstOrThrow();
    assert.ok(Number(row.locked_until) > clock.ms);
  });

  it('manages accounts and tokens over the API as admin: secrets in the creating answer only; power for another person waits for a second admin', async () => {
    // Four eyes are engaged here (test-admin and erin are admins): roles beyond viewer wait for a second admin.
    const secondAdmin = await t.operatorTokenFor(['admin'], 'second-admin');
    const created = await operatorCall(t, 'POST', '/operators', { body: { name: 'hank', roles: ['viewer', 'reviewer'] } });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.json.operator.roles, ['viewer'], 'a viewer until a second admin approves');
    assert.equal(created.json.pending_roles.state, 'pending');
    assert.deepEqual(created.json.pending_roles.change.body.roles, ['viewer', 'reviewer']);
    assert.match(created.json.password, /^[A-Za-z0-9_-]{24}$/);
    const listed = await operatorCall(t, 'GET', '/operators');
    assert.ok(listed.json.operators.some((o: { name: string }) => o.name === 'hank'));
    assert.ok(!listed.text.includes(created.json.password) && !listed.text.includes('scrypt$'));
    // A viewer's first token may be handed over with the account.
    const issued = await operatorCall(t, 'POST', '/operators/hank/tokens', { body: { expires_days: 2 } });
    assert.equal(issued.status, 201);
    assert.equal(issued.json.expires_at, clock.ms + 2 * 86_400_000);
    const tokens = await operatorCall(t, 'GET', '/operator-tokens?name=hank');
    assert.deepEqual(tokens.json.tokens.map((x: { id: number }) => x.id), [issued.json.id]);
    assert.ok(!tokens.text.includes(issued.json.token));
    const granted = await operatorCall(t, 'POST', `/change-requests/${created.json.pending_roles.id}/approve`, { token: secondAdmin, body: {} });
    assert.deepEqual(granted.json.result.roles, ['viewer', 'reviewer'], granted.text);
    // Once hank holds more than viewer, tokens are hank's own to ask for.
    const forHank = await operatorCall(t, 'POST', '/operators/hank/tokens', { body: {} });
    assert.equal(forHank.status, 403);
    assert.match(forHank.json.message, /issues their own API tokens/);
    const own = await operatorCall(t, 'POST', '/auth/tokens', { token: issued.json.token, body: { expires_days: 1 } });
    assert.equal(own.status, 201, own.text);
    assert.equal(own.json.name, 'hank');
    // With two admins a role change is a change request: another admin's approval applies it.
    const asked = await operatorCall(t, 'PUT', '/operators/hank/roles', { body: { roles: ['treasurer'] } });
    assert.equal(asked.status, 202, asked.text);
    assert.equal((await operatorCall(t, 'GET', '/auth/me', { token: issued.json.token })).json.operator.roles[1], 'reviewer');
    const approved = await operatorCall(t, 'POST', `/change-requests/${asked.json.id}/approve`, { token: secondAdmin, body: {} });
    assert.equal(approved.json.result.roles[0], 'treasurer', approved.text);
    assert.equal((await operatorCall(t, 'GET', '/auth/me', { token: issued.json.token })).json.operator.roles[0], 'treasurer');
    // hank may not manage operators.
    assert.equal((await operatorCall(t, 'POST', '/operators', { token: issued.json.token, body: { name: 'ivan', roles: ['admin'] } })).json.error, 'forbidden');
    failures.length = 0;
    assert.equal((await operatorCall(t, 'DELETE', `/operator-tokens/${issued.json.id}`)).status, 200);
    assert.equal((await operatorCall(t, 'GET', '/auth/me', { token: issued.json.token })).status, 401);
    assert.deepEqual(failures.map((f) => [f.kind, f.reason, f.name]), [['token', 'revoked', 'hank']]);
    // Whoever resets another's credentials holds them: hank is a viewer until a second admin gives the roles back.
    const reset = await operatorCall(t, 'POST', '/operators/hank/reset');
    assert.equal(reset.status, 200, reset.text);
    assert.deepEqual(reset.json.operator.roles, ['viewer']);
    assert.deepEqual(reset.json.pending_roles.change.body.roles, ['treasurer']);
    // Disabling an admin takes away one of the four eyes: it waits too; anyone else is disabled at once.
    const erinOff = await operatorCall(t, 'POST', '/operators/erin/disable');
    assert.equal(erinOff.status, 202, erinOff.text);
    assert.equal((await operatorCall(t, 'GET', '/operators')).json.operators.find((o: { name: string }) => o.name === 'erin').disabled, false);
    assert.equal((await operatorCall(t, 'POST', '/operators/hank/disable')).json.disabled, true);
    assert.equal((await operatorCall(t, 'POST', '/operators/nobody/reset')).status, 404);

    // Admins gone one by one, each with another's approval, never bring back one-person changes.
    assert.equal((await operatorCall(t, 'POST', `/change-requests/${erinOff.json.id}/approve`, { token: secondAdmin, body: {} })).json.state, 'approved');
    const secondOff = await operatorCall(t, 'POST', '/operators/second-admin/disable');
    assert.equal(secondOff.status, 202, secondOff.text);
    assert.equal((await operatorCall(t, 'POST', `/change-requests/${secondOff.json.id}/approve`, { token: secondAdmin, body: {} })).json.state, 'approved');
    const admins = (await operatorCall(t, 'GET', '/operators')).json.operators.filter((o: { roles: string[]; disabled: boolean }) => o.roles.includes('admin') && !o.disabled);
    assert.deepEqual(admins.map((o: { name: string }) => o.name), ['test-admin']);
    const alone = await operatorCall(t, 'PATCH', '/coins/ETH', { body: { confirmations: 9 } });
    assert.equal(alone.status, 202, 'still four-eyed with one admin left');
  });
});
