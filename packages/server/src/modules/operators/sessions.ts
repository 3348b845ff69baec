import { AdminError } from '../../errors/admin-errors.js';
import {
  adminListLimitMax,
  operatorApiTokenExpiresDaysDefault,
  operatorApiTokenExpiresDaysMax,
  operatorAuthForgetAfterMs,
  operatorLoginFreeFailuresMax,
  operatorLoginLockoutBaseMs,
  operatorLoginLockoutMaxMs,
  operatorPasswordLengthMax,
  operatorSessionTtlMs,
  operatorEndedSessionKeepMs,
  operatorTokensPerOperatorMax,
} from '../../limits.js';
import { inTransaction, type Tx } from '../../store/tx.js';
import type { Actor } from './actor.js';
import type { AccountDeps, OperatorDeps, OperatorReadDeps } from './deps.js';
import { operatorView, totpSecretAad, type OperatorView } from './accounts.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import {
  deleteEndedSessionsOf,
  findOperatorByName,
  findTokenById,
  findTokenWithOperator,
  insertToken,
  listApiTokenRows,
  liveTokensOf,
  lockOperatorByName,
  revokeTokensById,
  updateOperator,
} from './repository.js';
import { decodeRoles } from './roles.js';
import { generateToken, tokenHash, type TokenKind } from './tokens.js';
import { matchTotp } from './totp.js';

/**
 * Why an authentication failed, for the audit trail (wired by whoever records it; logged now).
 * `name` is the account a login named (it may not exist); a bad token names none.
 */
export interface AuthFailure {
  kind: 'login' | 'token';
  reason: 'unknown_account' | 'wrong_credentials' | 'disabled' | 'locked' | 'unknown_token' | 'expired' | 'revoked';
  name?: string;
  sourceIp: string;
  atMs: number;
}

/** A login refused: `lockedForMs` set when the account is (now) locked out. */
export class LoginRefused extends AdminError {
  constructor(
    readonly failure: AuthFailure,
    readonly lockedForMs = 0,
  ) {
    super(lockedForMs > 0 ? 'too_many_attempts' : 'unauthorized', lockedForMs > 0 ? `too many failed logins of this account: retry after ${Math.ceil(lockedForMs / 1_000)} s` : 'wrong name, password or code');
  }
}

/** A bearer token that is issued once: the value is in this answer only. */
export interface IssuedToken {
  id: number;
  /** The token itself: shown once, stored only as its sha256. */
  token: string;
  expires_at: number;
}

export interface LoginResult extends IssuedToken {
  operator: OperatorView;
}

/** An API token as listings show it (never the token). */
export interface ApiTokenView {
  id: number;
  name: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** The lockout a failure count starts: none while failures are free, then doubling up to the cap. */
export function lockoutMs(failures: number): number {
  const over = failures - operatorLoginFreeFailuresMax;
  return over <= 0 ? 0 : Math.min(operatorLoginLockoutMaxMs, operatorLoginLockoutBaseMs * 2 ** Math.min(over - 1, 40));
}

/**
 * Logs in with name, password and a TOTP code: a session token (shown once) valid for
 * operatorSessionTtlMs. Every refusal answers the same 401 whatever was wrong, except a locked
 * account (429 with the wait), which is refused before its password is looked at. Failures
 * count per account in the database, so every API process sees the same lockout.
 */
export async function login(deps: AccountDeps, input: { name: string; password: string; totp: string; sourceIp: string }): Promise<LoginResult> {
  const nowMs = deps.clock.nowMs();
  const failure = (reason: AuthFailure['reason']): AuthFailure => ({ kind: 'login', reason, name: input.name, sourceIp: input.sourceIp, atMs: nowMs });
  const found = await findOperatorByName(deps.store.db, input.name);
  if (!found) {
    // As slow as a real check: the answer's timing does not tell which names exist.
    await verifyPassword(input.password.slice(0, operatorPasswordLengthMax), await dummyPasswordHash());
    throw new LoginRefused(failure('unknown_account'));
  }
  if (Number(found.locked_until) > nowMs) throw new LoginRefused(failure('locked'), Number(found.locked_until) - nowMs);
  const passwordOk = await verifyPassword(input.password, found.password_hash);
  let step: number | undefined;
  if (passwordOk) {
    const secret = Buffer.from((await deps.secrets.dataKey()).decrypt(found.totp_secret, totpSecretAad(Number(found.id))), 'base64');
    step = matchTotp(secret, input.totp, nowMs, Number(found.totp_last_step));
  }
  return inTransaction(deps.store, async (tx) => {
    const row = (await lockOperatorByName(tx, input.name))!;
    const id = Number(row.id);
    if (Number(row.locked_until) > nowMs) throw new LoginRefused(failure('locked'), Number(row.locked_until) - nowMs);
    // Another login may have used this code meanwhile: the step is checked again under the lock.
    if (step === undefined || step <= Number(row.totp_last_step) || row.disabled === 1) {
      const counts = nowMs - Number(row.last_failure_at) < operatorAuthForgetAfterMs ? row.failed_logins + 1 : 1;
      const waitMs = lockoutMs(counts);
      await updateOperator(tx, id, { failed_logins: counts, last_failure_at: nowMs, locked_until: waitMs > 0 ? nowMs + waitMs : 0 });
      // The failure is committed, the refusal thrown after: the transaction must not roll it back.
      return { refused: new LoginRefused(failure(row.disabled === 1 && step !== undefined ? 'disabled' : 'wrong_credentials'), waitMs) };
    }
    await updateOperator(tx, id, { failed_logins: 0, last_failure_at: 0, locked_until: 0, totp_last_step: step });
    const issued = await issue(tx, { operatorId: id, kind: 'session', expiresAtMs: nowMs + operatorSessionTtlMs, nowMs, sourceIp: input.sourceIp });
    return { result: { ...issued, operator: operatorView(row, nowMs) } };
  }).then((outcome) => {
    if ('refused' in outcome) throw outcome.refused;
    return outcome.result;
  });
}



/** Stores a new token's hash; beyond the per-operator bound the oldest sessions go, and API tokens are refused. */
async function issue(tx: Tx, input: { operatorId: number; kind: TokenKind; expiresAtMs: number; nowMs: number; sourceIp: string }): Promise<IssuedToken> {
  // Ended sessions would pile up login after login: each new one clears its operator's long-ended rows.
  if (input.kind === 'session') await deleteEndedSessionsOf(tx, input.operatorId, input.nowMs - operatorEndedSessionKeepMs);
  const live = await liveTokensOf(tx, input.operatorId, input.nowMs);
  const excess = live.length + 1 - operatorTokensPerOperatorMax;
  if (excess > 0) {
    if (input.kind === 'api') throw new AdminError('conflict', `an operator holds at most ${operatorTokensPerOperatorMax} live tokens: revoke some first`);
    const oldestSessions = live.filter((t) => t.kind === 'session').slice(0, excess);
    await revokeTokensById(tx, oldestSessions.map((t) => Number(t.id)), input.nowMs);
  }
  const token = generateToken(input.kind);
  const row = await insertToken(tx, { operator_id: input.operatorId, kind: input.kind, token_hash: tokenHash(token), created_at: input.nowMs, expires_at: input.expiresAtMs, revoked_at: null, source_ip: input.sourceIp });
  return { id: Number(row.id), token, expires_at: input.expiresAtMs };
}

/** The actor behind a bearer token (session or API token), or the failure it meets. */
export async function authenticateToken(deps: OperatorDeps, token: string, sourceIp: string): Promise<{ actor: Actor; kind: TokenKind; tokenId: number } | { failure: AuthFailure }> {
  const nowMs = deps.clock.nowMs();
  const fail = (reason: AuthFailure['reason'], name?: string) => ({ failure: { kind: 'token' as const, reason, ...(name !== undefined ? { name } : {}), sourceIp, atMs: nowMs } });
  const row = await findTokenWithOperator(deps.store.db, tokenHash(token));
  if (!row) return fail('unknown_token');
  if (row.revoked_at !== null) return fail('revoked', row.name);
  if (Number(row.expires_at) <= nowMs) return fail('expired', row.name);
  if (row.disabled === 1) return fail('disabled', row.name);
  const roles = decodeRoles(row.roles);
  return { actor: { operatorId: Number(row.operator_id), name: row.name, roles, sourceIp }, kind: row.kind, tokenId: Number(row.token_id) };
}

/** Ends the session `token` belongs to (an API token is revoked by id instead). */
export async function logout(deps: OperatorDeps, tokenId: number): Promise<void> {
  await revokeTokensById(deps.store.db, [tokenId], deps.clock.nowMs());
}

/** A new API token for operator `name`, acting with that operator's roles until it expires or is revoked. */
export async function createApiToken(deps: OperatorDeps, input: { name: string; expiresDays?: number; sourceIp: string }): Promise<IssuedToken & { name: string }> {
  const days = input.expiresDays ?? operatorApiTokenExpiresDaysDefault;
  if (!Number.isInteger(days) || days < 1 || days > operatorApiTokenExpiresDaysMax) throw AdminError.invalid(`expires-days is a whole number of days from 1 to ${operatorApiTokenExpiresDaysMax}`);
  const nowMs = deps.clock.nowMs();
  return inTransaction(deps.store, async (tx) => {
    const row = await lockOperatorByName(tx, input.name);
    if (!row) throw AdminError.notFound(`operator ${input.name}`);
    if (row.disabled === 1) throw new AdminError('conflict', `operator ${input.name} is disabled`);
    const issued = await issue(tx, { operatorId: Number(row.id), kind: 'api', expiresAtMs: nowMs + days * 86_400_000, nowMs, sourceIp: input.sourceIp });
    return { ...issued, name: row.name };
  });
}

/** API tokens, newest first (never the tokens themselves). */
export async function listApiTokens(deps: OperatorReadDeps, options: { name?: string } = {}): Promise<ApiTokenView[]> {
  let operatorId: number | undefined;
  if (options.name !== undefined) {
    const row = await findOperatorByName(deps.store.db, options.name);
    if (!row) throw AdminError.notFound(`operator ${options.name}`);
    operatorId = Number(row.id);
  }
  const rows = await listApiTokenRows(deps.store.db, { ...(operatorId !== undefined ? { operatorId } : {}), limit: adminListLimitMax });
  return rows.map((r) => ({ id: Number(r.id), name: r.name, created_at: Number(r.created_at), expires_at: Number(r.expires_at), revoked_at: r.revoked_at === null ? null : Number(r.revoked_at) }));
}

/** Revokes API token `id`; revoking it again is a no-op. */
export async function revokeApiToken(deps: OperatorDeps, id: number): Promise<{ id: number; revoked: true }> {
  const row = await findTokenById(deps.store.db, id);
  if (!row || row.kind !== 'api') throw AdminError.notFound(`API token ${id}`);
  await revokeTokensById(deps.store.db, [id], deps.clock.nowMs());
  return { id, revoked: true };
}

