import assert from 'node:assert/strict';
import { WaasError } from '@openwaas/sdk';
import { ApiError } from '../../src/errors/api-error.js';

/** Asserts that an SDK call fails with the API `code` (and a message matching `msg`). */
export function rejectsWith(promise: Promise<unknown>, code: string, msg?: RegExp): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof WaasError, `WaasError expected, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code} ${e.msg}`);
    if (msg) assert.match(e.msg, msg);
    return true;
  });
}

/** Asserts that a domain call fails with ApiError `code`; `check` inspects it further. */
export async function expectCode(promise: Promise<unknown>, code: string, check?: (e: ApiError) => void): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code} (${e.message})`);
    check?.(e);
    return true;
  });
}
