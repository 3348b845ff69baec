import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.js';
import { AdminError } from '../domain/admin-errors.js';
import { listAlerts, resolveAlertById } from '../domain/alerts.js';
import { chainStatuses } from '../domain/chain-status.js';
import { chainAuditAction } from './actions.js';

const alertsQuery = z.object({ all: z.enum(['0', '1', 'true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(1_000).optional() });
const idParams = z.object({ id: z.coerce.number().int().positive() });

/** Chains and alerts: scanner progress, wallet balances, the on-chain audit, what needs an operator. */
export async function chainOperatorRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/chains', async () => ({ chains: await chainStatuses(ctx) }));
  // Always 200; `ok` and `findings` carry the verdict (like /audit).
  app.get('/chains/audit', async () => chainAuditAction(ctx));

  app.get('/alerts', async (request) => {
    const q = alertsQuery.parse(request.query);
    const alerts = await listAlerts(ctx.store.db, { all: q.all === '1' || q.all === 'true', ...(q.limit ? { limit: q.limit } : {}) });
    return { alerts: alerts.map((a) => ({ ...a, id: Number(a.id) })) };
  });
  app.post('/alerts/:id/resolve', async (request) => {
    const { id } = idParams.parse(request.params);
    if (!(await resolveAlertById(ctx.store.db, id, ctx.clock.nowMs()))) throw new AdminError('not_found', `no open alert ${id}`);
    return { id, resolved: true };
  });
}
