import { operatorApiTokenExpiresDaysMax } from '../limits.js';
import {
  createApiToken,
  isOperatorRole,
  listApiTokens,
  listOperators,
  revokeApiToken,
  type OperatorEnrolment,
  type OperatorRole,
} from '../modules/operators/index.js';
import { describe, exitCode, group, idArg, leaf, list, print, str, table, UsageError, whole, type Io, type Parsed } from './args.js';
import { withContext } from './context.js';
import { runSensitiveCommand } from './sensitive.js';
import { withAuditedContext } from './audited.js';
import { addOperatorChecked, checkTokenFor, resetOperatorChecked } from '../operator/identity-guards.js';
import { fourEyesNotice } from '../operator/four-eyes.js';
import { cliActor } from '../operator/actor-of.js';
import { hostActor } from './operator-auth.js';

/**
 * Operator accounts from the shell. Secrets (a new password, the TOTP enrolment URI, a new API
 * token) are printed once, by the command that makes them, and never again.
 */

const roleOption = { role: { type: 'string' as const, multiple: true } };

function rolesOf(p: Parsed, command: string): OperatorRole[] {
  const roles = list(p, 'role') ?? [];
  if (roles.length === 0) throw new UsageError('give at least one --role (viewer, reviewer, treasurer, admin)', command);
  for (const r of roles) if (!isOperatorRole(r)) throw new UsageError(`unknown role "${r}": viewer, reviewer, treasurer or admin`, command);
  return roles as OperatorRole[];
}

function printEnrolment(io: Io, p: Parsed, e: OperatorEnrolment, what: string): void {
  print(io, p, e, () =>
    describe(e.operator) +
      `\n${what}: shown this once, store them now.\n  password     ${e.password}\n  TOTP         ${e.otpauth_uri}\n` +
      `(add the otpauth:// URI to an authenticator app, e.g. as a QR code; log in with POST /operator/v1/auth/login)\n`,
  );
}

const add = leaf({
  name: 'operator add',
  role: 'admin',
  summary: 'create an operator account; prints its initial password and TOTP enrolment once',
  help: `operator add <name> --role ROLE [--role ROLE…]

Creates an operator account holding the roles given (viewer, reviewer, treasurer, admin; see
docs/operators.md) and prints its initial password and TOTP enrolment (otpauth:// URI) once.
Until an admin exists, this runs on the host without a token: that is how the first admin is
made, and it then also prints that admin's first API token (once).

  --role ROLE    a role (repeat, or comma-separate)`,
  options: roleOption,
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const roles = rolesOf(p, 'operator add');
    // Run by the host (no admin yet), the new admin also gets its first API token: nobody else could issue one.
    const bootstrap = cliActor().operatorId === hostActor.operatorId;
    const name = p.positionals[0]!;
    const e = await withAuditedContext(io, { action: 'operator add', target: `/operators/${name}` }, async (ctx, note) => {
      const enrolment = await addOperatorChecked(ctx, { name, roles }, cliActor());
      const first = bootstrap && roles.includes('admin') ? await createApiToken(ctx, { name: enrolment.operator.name, sourceIp: 'cli' }) : undefined;
      // Never the one-time secrets in the trail.
      note({ after: { operator: enrolment.operator, pending_roles: enrolment.pending_roles?.id ?? null } });
      return { ...enrolment, ...(first ? { api_token: first.token } : {}) };
    });
    printEnrolment(io, p, e, 'initial password and TOTP enrolment');
    if (!p.json && e.pending_roles) io.stdout.write(`the roles ${roles.join(', ')} wait for a second admin: change request ${e.pending_roles.id} (until then ${e.operator.name} is a viewer)\n`);
    if (!p.json && e.api_token !== undefined) io.stdout.write(`API token (shown this once; export OPENWAAS_OPERATOR_TOKEN=<it> to run operator commands as ${e.operator.name}):\n${e.api_token}\n`);
    return exitCode.ok;
  },
});

const listCommand = leaf({
  name: 'operator list',
  role: 'viewer',
  summary: 'operator accounts and their roles',
  help: 'operator list',
  async run(p, io) {
    const { rows, notice } = await withContext(io, async (ctx) => ({ rows: await listOperators(ctx), notice: await fourEyesNotice(ctx) }));
    // Four eyes for admin changes need two enabled admins: the text says when they are not there yet.
    print(io, p, rows, () => table(rows, ['id', 'name', 'roles', 'disabled', 'locked_until', 'created_at']) + (notice === null ? '' : `note: ${notice}\n`));
    return exitCode.ok;
  },
});

const disable = leaf({
  name: 'operator disable',
  role: 'admin',
  summary: 'disable an account: no more logins, its sessions and tokens revoked',
  help: 'operator disable <name>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const name = p.positionals[0]!;
    await runSensitiveCommand(io, p, {
      command: 'operator disable',
      key: 'POST /operators/:name/disable',
      target: `/operators/${encodeURIComponent(name)}`,
      raw: { params: { name } },
      printApplied: (o) => ({ json: o, text: describe(o) }),
    });
    return exitCode.ok;
  },
});

const setRole = leaf({
  name: 'operator set-role',
  role: 'admin',
  summary: "replace an account's roles",
  help: `operator set-role <name> --role ROLE [--role ROLE…]

Replaces the account's roles; its sessions and tokens act with the new ones from their next use.

  --role ROLE    a role (repeat, or comma-separate)`,
  options: roleOption,
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const roles = rolesOf(p, 'operator set-role');
    const name = p.positionals[0]!;
    await runSensitiveCommand(io, p, {
      command: 'operator set-role',
      key: 'PUT /operators/:name/roles',
      target: `/operators/${encodeURIComponent(name)}`,
      raw: { params: { name }, body: { roles } },
      printApplied: (o) => ({ json: o, text: describe(o) }),
    });
    return exitCode.ok;
  },
});

const reset = leaf({
  name: 'operator reset',
  role: 'admin',
  summary: 'new password and TOTP enrolment (printed once); sessions and tokens revoked',
  help: `operator reset <name>

For a lost password or authenticator: a new password and TOTP enrolment, printed once; every
session and API token of the account is revoked and its lockout lifted.`,
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const name = p.positionals[0]!;
    const e = await withAuditedContext(io, { action: 'operator reset', target: `/operators/${name}` }, async (ctx, note) => {
      const reset = await resetOperatorChecked(ctx, name, cliActor());
      note({ after: { operator: reset.operator, pending_roles: reset.pending_roles?.id ?? null } });
      return reset;
    });
    printEnrolment(io, p, e, 'new password and TOTP enrolment');
    if (!p.json && e.pending_roles) io.stdout.write(`${e.operator.name} is a viewer until a second admin gives back its roles: change request ${e.pending_roles.id}\n`);
    return exitCode.ok;
  },
});

const tokenCreate = leaf({
  name: 'operator token create',
  role: 'admin',
  summary: 'a new API token of an operator (printed once)',
  help: `operator token create <name> [--expires-days N]

Issues an API token acting with the operator's roles, for the operator API (Authorization:
Bearer) and the CLI (OPENWAAS_OPERATOR_TOKEN or --token-file). Printed once; only its hash is kept.

  --expires-days N    lifetime in days (default 90, at most ${operatorApiTokenExpiresDaysMax})`,
  options: { 'expires-days': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const daysText = str(p, 'expires-days');
    const expiresDays = daysText === undefined ? undefined : whole(daysText, '--expires-days', 'operator token create', { min: 1, max: operatorApiTokenExpiresDaysMax });
    const name = p.positionals[0]!;
    const t = await withAuditedContext(io, { action: 'operator token create', target: `/operators/${name}` }, async (ctx, note) => {
      await checkTokenFor(ctx, name, cliActor());
      const issued = await createApiToken(ctx, { name, sourceIp: 'cli', ...(expiresDays !== undefined ? { expiresDays } : {}) });
      note({ after: { id: issued.id, name: issued.name, expires_at: issued.expires_at } });
      return issued;
    });
    print(io, p, t, () => describe({ id: t.id, name: t.name, expires_at: t.expires_at }) + `\ntoken (shown this once, store it now):\n${t.token}\n`);
    return exitCode.ok;
  },
});

const tokenList = leaf({
  name: 'operator token list',
  role: 'viewer',
  summary: 'API tokens (never the tokens themselves)',
  help: `operator token list [--name NAME]

  --name NAME    only this operator's tokens`,
  options: { name: { type: 'string' } },
  async run(p, io) {
    const name = str(p, 'name');
    const rows = await withContext(io, (ctx) => listApiTokens(ctx, name !== undefined ? { name } : {}));
    print(io, p, rows, () => table(rows, ['id', 'name', 'created_at', 'expires_at', 'revoked_at']));
    return exitCode.ok;
  },
});

const tokenRevoke = leaf({
  name: 'operator token revoke',
  role: 'admin',
  summary: 'revoke an API token at once',
  help: 'operator token revoke <id>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const id = idArg(p.positionals[0], 'id', 'operator token revoke');
    const r = await withAuditedContext(io, { action: 'operator token revoke', target: `/operator-tokens/${id}` }, (ctx) => revokeApiToken(ctx, id));
    print(io, p, r, () => `revoked token ${r.id}\n`);
    return exitCode.ok;
  },
});

export const operator = group('operator', 'operator accounts, roles and API tokens', {
  add,
  list: listCommand,
  disable,
  'set-role': setRole,
  reset,
  token: group('operator token', 'API tokens of operators', { create: tokenCreate, list: tokenList, revoke: tokenRevoke }),
});
