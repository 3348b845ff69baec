import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.js';
import { AdminError } from '../domain/admin-errors.js';
import { chainTxView, listChainTxs } from '../domain/outgoing-txs.js';
import { listSweeps, retrySweep, SweepStateError, sweepView } from '../domain/sweeps.js';

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const page = { before_id: id.optional(), limit: z.coerce.number().int().min(1).max(1_000).optional() };
const sweepsQuery = z.strictObject({ chain: z.string().optional(), state: z.enum(['topup', 'topup_pending', 'sweep_pending', 'done', 'failed']).optional(), ...page });
const txsQuery = z.strictObject({
  chain: z.string().optional(),
  purpose: z.enum(['withdrawal', 'sweep', 'topup']).optional(),
  ref_id: id.optional(),
  state: z.enum(['signed', 'broadcast', 'mined', 'confirmed', 'reverted', 'replaced', 'dropped']).optional(),
  ...page,
});

/**
 * Outgoing chain transactions and collection sweeps for operators: GET /chain-txs (what was
 * signed, stored and sent, per withdrawal or sweep), GET /sweeps, POST /sweeps/:id/retry (a
 * failed sweep starts again). Lists are newest first; page with before_id.
 */
export async function chainTxOperatorRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/chain-txs', async (request) => {
    const q = txsQuery.parse(request.query);
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
  app.get('/sweeps', async (request) => {
    const q = sweepsQuery.parse(request.query);
    const rows = await listSweeps(ctx.store.db, {
      ...(q.chain ? { chain: q.chain } : {}),
      ...(q.state ? { state: q.state } : {}),
      ...(q.before_id !== undefined ? { beforeId: q.before_id } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
    return { sweeps: rows.map(sweepView) };
  });
  app.post('/sweeps/:id/retry', async (request) => {
    const { id: sweepId } = z.object({ id }).parse(request.params);
    try {
      return sweepView(await retrySweep(ctx, sweepId));
    } catch (error) {
      if (error instanceof SweepStateError) throw error.reason === 'not-found' ? AdminError.notFound(`sweep ${sweepId}`) : new AdminError('conflict', error.message);
      throw error;
    }
  });
}
