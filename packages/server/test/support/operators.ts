import { addOperator, base32Decode, hotp, totpStep, type Actor, type OperatorEnrolment, type OperatorRole } from '../../src/modules/operators/index.js';
import type { TestService } from './service.js';

/** The TOTP secret of an enrolment, read back from its otpauth:// URI as an authenticator app does. */
export function totpSecretOf(otpauthUri: string): Buffer {
  const secret = new URL(otpauthUri).searchParams.get('secret');
  const bytes = secret === null ? undefined : base32Decode(secret);
  if (!bytes) throw new Error(`no secret in ${otpauthUri}`);
  return bytes;
}

/** The code an authenticator shows at `nowMs` (offset by `steps`). */
export function totpCodeAt(otpauthUri: string, nowMs: number, steps = 0): string {
  return hotp(totpSecretOf(otpauthUri), totpStep(nowMs) + steps);
}

/** A new operator account on the test service, with its one-time password and enrolment. */
export function enrolOperator(t: TestService, name: string, roles: OperatorRole[]): Promise<OperatorEnrolment> {
  return addOperator(t.ctx, { name, roles });
}

/** JSON over the operator API; `token` null sends no Authorization header. */
export async function operatorCall(t: TestService, method: string, path: string, options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) {
  const token = options.token === undefined ? t.operatorToken : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${t.operatorUrl}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text, json: text ? (JSON.parse(text) as any) : undefined };
}

/** A reviewer as module operations see one, for tests that call them directly (no account behind it). */
export const testReviewer: Actor = { operatorId: 1, name: 'test-reviewer', roles: ['reviewer'], sourceIp: '127.0.0.1' };
