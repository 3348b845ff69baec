import { AdminError } from '../../errors/admin-errors.js';
import { operatorAccountNameLengthMax } from '../../limits.js';
import { inTransaction, type Tx } from '../../store/tx.js';
import type { OperatorRole } from './actor.js';
import type { AccountDeps, OperatorDeps } from './deps.js';
import { generatePassword, hashPassword } from './passwords.js';
import { findOperatorByName, insertOperator, listOperatorRows, lockOperatorByName, revokeTokensOf, updateOperator, type OperatorRow } from './repository.js';
import { decodeRoles, encodeRoles } from './roles.js';
import { generateTotpSecret, otpauthUri } from './totp.js';

/** What an operator account looks like outside the module: never its password hash or TOTP secret. */
export interface OperatorView {
  id: number;
  name: string;
  roles: OperatorRole[];
  disabled: boolean;
  /** While set and in the future, logins are refused (repeated failures). */
  locked_until: number | null;
  created_at: number;
}

/** The one-time display of a new or reset account: shown once, never stored in the clear. */
export interface OperatorEnrolment {
  operator: OperatorView;
  /** The initial password; the operator keeps it in a password manager. */
  password: string;
  /** The TOTP enrolment for an authenticator app. */
  otpauth_uri: string;
}

/** The TOTP secret's additional data: column and account id, so a sealed secret copied to another row does not open. */
export const totpSecretAad = (operatorId: number) => `operators.totp_secret:${operatorId}`;

export function operatorView(row: OperatorRow, nowMs: number): OperatorView {
  return {
    id: Number(row.id),
    name: row.name,
    roles: decodeRoles(row.roles),
    disabled: row.disabled === 1,
    locked_until: Number(row.locked_until) > nowMs ? Number(row.locked_until) : null,
    created_at: Number(row.created_at),
  };
}

function checkName(name: string): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name) || name.length > operatorAccountNameLengthMax) {
    throw AdminError.invalid(`an operator name is 1 to ${operatorAccountNameLengthMax} characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit`);
  }
}

function checkRoles(roles: readonly OperatorRole[]): void {
  if (roles.length === 0) throw AdminError.invalid('give at least one role (viewer, reviewer, treasurer, admin)');
}

/** A fresh password and TOTP secret for operator `id`: the stored forms and the one-time display. */
async function credentials(deps: Pick<AccountDeps, 'secrets'>, id: number, name: string) {
  const password = generatePassword();
  const secret = generateTotpSecret();
  const sealed = (await deps.secrets.dataKey()).encrypt(secret.toString('base64'), totpSecretAad(id));
  return { password, passwordHash: await hashPassword(password), sealedSecret: sealed, otpauthUri: otpauthUri(name, secret) };
}

/** Creates an operator account with `roles`; its password and TOTP enrolment are returned once. */
export async function addOperator(deps: AccountDeps, input: { name: string; roles: readonly OperatorRole[] }): Promise<OperatorEnrolment> {
  checkName(input.name);
  checkRoles(input.roles);
  const nowMs = deps.clock.nowMs();
  // Unlock first: a missing data key fails before anything is written.
  await deps.secrets.dataKey();
  return inTransaction(deps.store, async (tx) => {
    if (await findOperatorByName(tx, input.name)) throw new AdminError('conflict', `operator ${input.name} exists already`);
    // The id binds the sealed secret, so the row is written first with a placeholder, inside the same transaction.
    const row = await insertOperator(tx, { name: input.name, roles: encodeRoles(input.roles), disabled: 0, password_hash: '-', totp_secret: '-', created_at: nowMs, updated_at: nowMs });
    const id = Number(row.id);
    const c = await credentials(deps, id, input.name);
    await updateOperator(tx, id, { password_hash: c.passwordHash, totp_secret: c.sealedSecret });
    return { operator: operatorView(row, nowMs), password: c.password, otpauth_uri: c.otpauthUri };
  });
}

/** One account by name, or undefined. */
export async function findOperator(deps: OperatorDeps, name: string): Promise<OperatorView | undefined> {
  const row = await findOperatorByName(deps.store.db, name);
  return row === undefined ? undefined : operatorView(row, deps.clock.nowMs());
}

export async function listOperators(deps: OperatorDeps): Promise<OperatorView[]> {
  const nowMs = deps.clock.nowMs();
  return (await listOperatorRows(deps.store.db)).map((r) => operatorView(r, nowMs));
}

async function changeOperator(deps: OperatorDeps, name: string, change: (row: OperatorRow, tx: Tx) => Promise<void>): Promise<OperatorView> {
  const nowMs = deps.clock.nowMs();
  return inTransaction(deps.store, async (tx) => {
    const row = await lockOperatorByName(tx, name);
    if (!row) throw AdminError.notFound(`operator ${name}`);
    await change(row, tx);
    return operatorView((await findOperatorByName(tx, name))!, nowMs);
  });
}

/** Disables an account: it can no longer log in, and its sessions and API tokens are revoked. */
export function disableOperator(deps: OperatorDeps, name: string): Promise<OperatorView> {
  const nowMs = deps.clock.nowMs();
  return changeOperator(deps, name, async (row, tx) => {
    await updateOperator(tx, Number(row.id), { disabled: 1, updated_at: nowMs });
    await revokeTokensOf(tx, Number(row.id), nowMs);
  });
}

/** Replaces an account's roles; its tokens act with the new roles from their next request. */
export function setOperatorRoles(deps: OperatorDeps, name: string, roles: readonly OperatorRole[]): Promise<OperatorView> {
  checkRoles(roles);
  const nowMs = deps.clock.nowMs();
  return changeOperator(deps, name, async (row, tx) => {
    await updateOperator(tx, Number(row.id), { roles: encodeRoles(roles), updated_at: nowMs });
  });
}

/**
 * A lost password or authenticator: a new password and TOTP enrolment (shown once), every
 * session and API token revoked, the lockout lifted. A disabled account stays disabled.
 */
export async function resetOperator(deps: AccountDeps, name: string): Promise<OperatorEnrolment> {
  await deps.secrets.dataKey();
  let enrolment: Omit<OperatorEnrolment, 'operator'> | undefined;
  const nowMs = deps.clock.nowMs();
  const operator = await changeOperator(deps, name, async (row, tx) => {
    const id = Number(row.id);
    const c = await credentials(deps, id, row.name);
    await updateOperator(tx, id, { password_hash: c.passwordHash, totp_secret: c.sealedSecret, totp_last_step: 0, failed_logins: 0, locked_until: 0, updated_at: nowMs });
    await revokeTokensOf(tx, id, nowMs);
    enrolment = { password: c.password, otpauth_uri: c.otpauthUri };
  });
  return { operator, ...enrolment! };
}
