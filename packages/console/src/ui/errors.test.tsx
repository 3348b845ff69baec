import { describe, expect, it } from 'vitest';
import { OperatorApiError } from '../api/client.js';
import { actionErrorText, loginErrorText } from './errors.js';
import { formatTime } from './time.js';

describe('loginErrorText', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('says wrong credentials without saying which one', () => {
    expect(loginErrorText(new OperatorApiError(401, 'unauthorized', 'wrong name, password or code'), now)).toBe('Wrong account name, password or authenticator code.');
  });

  it('says until when a locked account waits, and when a throttled address may try again', () => {
    const locked = new OperatorApiError(429, 'too_many_attempts', 'too many failed logins of this account: retry after 60 s', 60);
    expect(loginErrorText(locked, now)).toBe(`Too many failed logins of this account: it is locked until ${formatTime(now + 60_000)}.`);
    const throttled = new OperatorApiError(429, 'too_many_attempts', 'too many failed authentications from this address', 8);
    expect(loginErrorText(throttled, now)).toBe(`Too many failed attempts from this address: try again at ${formatTime(now + 8_000)}.`);
  });

  it('says the service is unreachable when there is no answer', () => {
    expect(loginErrorText(new TypeError('fetch failed'), now)).toBe('The service did not answer. Is it running?');
  });
});

describe('actionErrorText', () => {
  it('says a change request is decided by another admin', () => {
    expect(actionErrorText(new OperatorApiError(409, 'own_change_request', 'x'))).toBe('You asked for this change: another admin decides it.');
  });
});
