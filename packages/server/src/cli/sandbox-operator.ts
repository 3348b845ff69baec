import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceContext } from '../context.js';
import { addOperator, authenticateToken, createApiToken, findOperator, resetOperator, type OperatorEnrolment, type OperatorRole } from '../modules/operators/index.js';

/** The sandbox's demo operator: an admin, so every operator route and command works out of the box. */
export const sandboxOperatorName = 'sandbox-admin';

/** The sandbox's demo reviewer: decides withdrawals in review, nothing else. */
export const sandboxReviewerName = 'sandbox-reviewer';

/** One demo account of the console, as DIR/console-accounts.json keeps it (a dev sandbox: in a file, 0600). */
export interface SandboxConsoleAccount {
  name: string;
  roles: OperatorRole[];
  password: string;
  /** For an authenticator app: scan it as a QR code, or type in `totp_secret`. */
  otpauth_uri: string;
  totp_secret: string;
}

const accountsFileName = 'console-accounts.json';

function accountOf(enrolment: OperatorEnrolment): SandboxConsoleAccount {
  return {
    name: enrolment.operator.name,
    roles: enrolment.operator.roles,
    password: enrolment.password,
    otpauth_uri: enrolment.otpauth_uri,
    totp_secret: new URL(enrolment.otpauth_uri).searchParams.get('secret') ?? '',
  };
}

/**
 * The console's demo accounts — the demo admin (sandbox-admin, the same account as the API
 * token's, so admin changes stay single-admin and apply at once) and a demo reviewer — with
 * passwords and TOTP enrolments kept in DIR/console-accounts.json (0600). The ones of an earlier
 * run are kept while their accounts are there and usable; an account without kept credentials, or
 * locked out, is reset (which revokes its tokens: call this before sandboxOperatorToken). Never for
 * production: the credentials sit in a file.
 */
export async function sandboxConsoleAccounts(ctx: ServiceContext, dir: string): Promise<{ accounts: SandboxConsoleAccount[]; file: string }> {
  const file = join(dir, accountsFileName);
  let kept: SandboxConsoleAccount[] = [];
  if (existsSync(file)) {
    try {
      kept = (JSON.parse(readFileSync(file, 'utf8')) as { accounts?: SandboxConsoleAccount[] }).accounts ?? [];
    } catch {
      kept = [];
    }
  }
  const accounts: SandboxConsoleAccount[] = [];
  for (const { name, roles } of [
    { name: sandboxOperatorName, roles: ['admin'] as OperatorRole[] },
    { name: sandboxReviewerName, roles: ['reviewer'] as OperatorRole[] },
  ]) {
    const existing = await findOperator(ctx, name);
    const previous = kept.find((a) => a.name === name);
    if (!existing) accounts.push(accountOf(await addOperator(ctx, { name, roles })));
    else if (existing.disabled || !roles.every((r) => existing.roles.includes(r))) {
      throw new Error(`the sandbox operator ${name} was disabled or lost its ${roles.join(', ')} role: remove ${dir} and the database to start over`);
    } else if (previous && existing.locked_until === null) accounts.push({ ...previous, roles: existing.roles });
    else accounts.push(accountOf(await resetOperator(ctx, name)));
  }
  writeFileSync(file, JSON.stringify({ note: 'Demo accounts of a development sandbox: never use these in production.', accounts }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { accounts, file };
}

/**
 * The sandbox's operator API token, kept in DIR/operator-token (0600): the one from an earlier
 * run while it still authenticates, else a new API token of the demo admin (created, or
 * re-enabled by a reset, when needed). Never for production: the token sits in a file.
 */
export async function sandboxOperatorToken(ctx: ServiceContext, dir: string): Promise<{ token: string; file: string }> {
  const file = join(dir, 'operator-token');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    const auth = await authenticateToken(ctx, kept, 'cli');
    if ('actor' in auth && auth.actor.roles.includes('admin')) return { token: kept, file };
  }
  const existing = await findOperator(ctx, sandboxOperatorName);
  if (!existing) await addOperator(ctx, { name: sandboxOperatorName, roles: ['admin'] });
  else if (existing.disabled || !existing.roles.includes('admin')) {
    throw new Error(`the sandbox operator ${sandboxOperatorName} was disabled or lost its admin role: remove ${file} and the database to start over`);
  } else if (existing.locked_until !== null) await resetOperator(ctx, sandboxOperatorName);
  const { token } = await createApiToken(ctx, { name: sandboxOperatorName, sourceIp: 'cli' });
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return { token, file };
}
