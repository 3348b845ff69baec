import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceContext } from '../context.js';
import { addOperator, authenticateToken, createApiToken, findOperator, resetOperator } from '../modules/operators/index.js';

/** The sandbox's demo operator: an admin, so every operator route and command works out of the box. */
export const sandboxOperatorName = 'sandbox-admin';

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
