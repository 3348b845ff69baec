import { describe, expect, it } from 'vitest';
import { mayCall, operatorClient, OperatorApiError, routePath } from './client.js';

describe('routePath', () => {
  it('fills path params (encoded) under the operator base path', () => {
    expect(routePath('GET /withdrawals/:id', { id: 7 })).toEqual({ method: 'GET', path: '/operator/v1/withdrawals/7' });
    expect(routePath('PUT /operators/:name/roles', { name: 'a b/c' })).toEqual({ method: 'PUT', path: '/operator/v1/operators/a%20b%2Fc/roles' });
    expect(routePath('GET /operators')).toEqual({ method: 'GET', path: '/operator/v1/operators' });
  });

  it('refuses a route whose param is missing', () => {
    expect(() => routePath('GET /withdrawals/:id', {})).toThrow(/needs param id/);
  });
});

describe('mayCall', () => {
  it('follows the contract: a viewer reads, a reviewer decides withdrawals, only an admin approves change requests', () => {
    expect(mayCall(['viewer'], 'GET /withdrawals/review')).toBe(true);
    expect(mayCall(['viewer'], 'POST /withdrawals/:id/approve')).toBe(false);
    expect(mayCall(['reviewer'], 'POST /withdrawals/:id/approve')).toBe(true);
    expect(mayCall(['reviewer', 'treasurer'], 'POST /change-requests/:id/approve')).toBe(false);
    expect(mayCall(['admin'], 'POST /change-requests/:id/approve')).toBe(true);
    expect(mayCall([], 'POST /auth/login')).toBe(true);
  });
});

describe('operatorClient', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

  it('tells a change applied at once from one waiting for a second admin (202)', async () => {
    const waiting = { id: 3, kind: 'operator.roles', target: '/operators/bob', state: 'pending' };
    const pending = operatorClient({ token: () => 't', onUnauthorized: () => {} }, answer(202, waiting));
    expect(await pending.guarded('PUT /operators/:name/roles', { params: { name: 'bob' }, body: { roles: ['admin'] } })).toEqual({ pending: waiting });
    const applied = operatorClient({ token: () => 't', onUnauthorized: () => {} }, answer(200, { name: 'bob', roles: ['admin'] }));
    expect(await applied.guarded('PUT /operators/:name/roles', { params: { name: 'bob' }, body: { roles: ['admin'] } })).toEqual({ applied: { name: 'bob', roles: ['admin'] } });
  });

  it('raises the contract code with Retry-After, and reports a refused token', async () => {
    let ended = 0;
    const throttled = operatorClient({ token: () => null, onUnauthorized: () => ended++ }, answer(429, { error: 'too_many_attempts', message: 'wait' }, { 'retry-after': '30' }));
    const error = await throttled('POST /auth/login', { body: { name: 'a', password: 'b', totp: '123456' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorApiError);
    expect((error as OperatorApiError).code).toBe('too_many_attempts');
    expect((error as OperatorApiError).retryAfterS).toBe(30);
    const refused = operatorClient({ token: () => 'old', onUnauthorized: () => ended++ }, answer(401, { error: 'unauthorized', message: 'no' }));
    await expect(refused('GET /auth/me')).rejects.toBeInstanceOf(OperatorApiError);
    expect(ended).toBe(1);
  });
});
