import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { AdminError } from '../errors/admin-errors.js';
import { chainTxView, listChainTxs } from '../modules/chain-sends/index.js';
import { listSweeps, retrySweep, SweepStateError, sweepView } from '../modules/sweeps/index.js';
import { noteAudit } from './audit-trail.js';
import { operatorRoute } from './typed-route.js';

/**
 * Outgoing chain transactions and collection sweeps for operators: GET /chain-txs (what was
 * signed, stored and sent, per withdrawal or sweep), GET /sweeps, POST /sweeps/:id/retry (a
 * failed sweep starts again). Lists are newest first; page with before_id. Request schemas
 * and views: contracts/operator.ts.
 */
export async function chainTxOperatorRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  operatorRoute(app, 'GET /chain-txs', async ({ query: q }) => {
    const rows = await listChainTxs(ctx.store.db, {
      ...(q.chain ? { chain: q.chain } : {}),
      ...(q.purpose ? { purpose: q.purpose } : {}),
      ...(q.ref_id !== undefined ? { refId: q.ref_id } : {}),
      ...(q.state ? { state: q.state } : {}),
      ...(q.before_id !== undefined ? { beforeId: q.before_id } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
    return { transactions: rows.map(chainTxView) };
  });
  operatorRoute(app, 'GET /sweeps', async ({ query: q }) => {
    const rows = await listSweeps(ctx.store.db, {
      ...(q.chain ? { chain: q.chain } : {}),
      ...(q.state ? { state: q.state } : {}),
      ...(q.before_id !== undefined ? { beforeId: q.before_id } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
    return { sweeps: rows.map(sweepView) };
  });
  operatorRoute(app, 'POST /sweeps/:id/retry', async ({ params: { id: sweepId } }, request) => {
    try {
      const after = sweepView(await retrySweep(ctx, sweepId));
      noteAudit(request, { after });
      return after;
    } catch (error) {
      if (error instanceof SweepStateError) throw error.reason === 'not-found' ? AdminError.notFound(`sweep ${sweepId}`) : new AdminError('conflict', error.message);
      throw error;
    }
  });
}
