/**
 * Who runs an operator command. The rule:
 * - A command acts as the operator whose API token it is given: `--token-file FILE`, else
 *   OPENWAAS_OPERATOR_TOKEN, else the file named by OPENWAAS_OPERATOR_TOKEN_FILE. The token
 *   must authenticate (not expired, revoked or of a disabled operator) and its operator must
 *   hold the command's role, or the command does not run.
 * - Until the database holds an enabled admin, a command run on the host without a token acts
 *   as "host" with every role: a fresh installation is operated from its shell, and the first
 *   admin is created that way (`openwaas operator add <name> --role admin`). From then on,
 *   every operator command needs a token.
 * - serve, sandbox, migrate, keys and demo are not operator commands and need none.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AdminError } from '../errors/admin-errors.js';
import { authFailureEvent, forbiddenEvent, recordOperatorEvent } from '../modules/operator-audit/index.js';
import { adminExists, authenticateToken, operatorRoles, reportAuthFailure, roleAllows, type Actor, type OperatorRole } from '../modules/operators/index.js';
import { setCliActor } from '../operator/actor-of.js';
import { CommandFailed, type Io } from './args.js';
import { withContext } from './context.js';

/** The actor of host commands before the first admin exists. */
export const hostActor: Actor = { operatorId: 0, name: 'host', roles: operatorRoles, sourceIp: 'cli' };

function presentedToken(io: Io, tokenFile: string | undefined): string | undefined {
  const file = tokenFile ?? (io.env.OPENWAAS_OPERATOR_TOKEN ? undefined : io.env.OPENWAAS_OPERATOR_TOKEN_FILE);
  if (file !== undefined && file !== '') {
    try {
      return readFileSync(resolve(io.cwd, file), 'utf8').trim();
    } catch (error) {
      throw new CommandFailed(`cannot read the operator token file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  const fromEnv = io.env.OPENWAAS_OPERATOR_TOKEN?.trim();
  return fromEnv === '' ? undefined : fromEnv;
}

/**
 * Whether the database may hold an admin. One that cannot be opened as migrated holds none
 * (its operators table comes with the migrations): the command then runs as the host and
 * reports the database's state itself, after its own usage checks.
 */
async function adminMayExist(io: Io): Promise<boolean> {
  try {
    return await withContext(io, (ctx) => adminExists(ctx));
  } catch (error) {
    if (error instanceof CommandFailed) return false;
    throw error;
  }
}

/** Checks that the command may run and records its actor (cliActor()); throws 401/403 operator errors otherwise. */
export async function authorizeCommand(io: Io, input: { command: string; role: OperatorRole; tokenFile: string | undefined }): Promise<Actor> {
  setCliActor(undefined);
  const token = presentedToken(io, input.tokenFile);
  if (token === undefined && !(await adminMayExist(io))) {
    setCliActor(hostActor);
    return hostActor;
  }
  const actor = await withContext(io, async (ctx) => {
    if (token === undefined) {
      throw new AdminError('unauthorized', `'${input.command}' acts as an operator: give your API token (OPENWAAS_OPERATOR_TOKEN, OPENWAAS_OPERATOR_TOKEN_FILE or --token-file; log in and ask for one with POST /operator/v1/auth/tokens, or an admin hands over a new viewer's with 'openwaas operator token create <name>')`);
    }
    const auth = await authenticateToken(ctx, token, 'cli');
    if ('failure' in auth) {
      ctx.log.warn({ auth_failure: 'token', reason: auth.failure.reason, operator: auth.failure.name, command: input.command }, 'CLI: operator token refused');
      reportAuthFailure(auth.failure);
      await recordOperatorEvent(ctx.store.db, authFailureEvent(auth.failure));
      throw new AdminError('unauthorized', `the operator token is ${auth.failure.reason === 'unknown_token' ? 'not known' : auth.failure.reason}`);
    }
    return auth.actor;
  });
  if (!roleAllows(actor.roles, input.role)) {
    await withContext(io, (ctx) => recordOperatorEvent(ctx.store.db, forbiddenEvent({ actor, action: `cli ${input.command}`, target: '', nowMs: ctx.clock.nowMs() })));
    throw new AdminError('forbidden', `'${input.command}' needs the ${input.role} role; ${actor.name} holds ${actor.roles.join(', ')}`);
  }
  setCliActor(actor);
  return actor;
}
