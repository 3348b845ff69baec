import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { alertView } from '../contracts/operator.js';
import { AdminError } from '../errors/admin-errors.js';
import { listAlerts, resolveAlertById } from '../modules/alerts/index.js';
import { chainStatuses } from '../modules/deposits/index.js';
import { chainAuditAction } from './actions.js';
import { operatorRoute } from './typed-route.js';

/** Chains and alerts: scanner progress, wallet balances, the on-chain audit, what needs an operator. */
export async function chainOperatorRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  operatorRoute(app, 'GET /chains', async () => ({ chains: await chainStatuses(ctx) }));
  // Always 200; `ok` and `findings` carry the verdict (like /audit).
  operatorRoute(app, 'GET /chains/audit', async () => chainAuditAction(ctx));

  operatorRoute(app, 'GET /alerts', async ({ query: q }) => {
    const alerts = await listAlerts(ctx.store.db, { all: q.all === '1' || q.all === 'true', ...(q.limit ? { limit: q.limit } : {}) });
    return { alerts: alerts.map(alertView) };
  });
  operatorRoute(app, 'POST /alerts/:id/resolve', async ({ params: { id } }) => {
    if (!(await resolveAlertById(ctx.store.db, id, ctx.clock.nowMs()))) throw new AdminError('not_found', `no open alert ${id}`);
    return { id, resolved: true };
  });
}
