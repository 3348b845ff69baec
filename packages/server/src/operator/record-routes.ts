/**
 * Operator API of records (mounted inside operatorRoutes: same token, roles and error answers):
 *   GET /withdrawals[?app_id&symbol&status&from_ms&to_ms&request_id&address&txid&cursor&limit]
 *   GET /deposits[?app_id&symbol&status&from_ms&to_ms&address&txid&cursor&limit]
 *       newest first; `cursor` is the previous page's next_cursor (null: no more pages)
 *   GET /deposits/:id                      one deposit with its merchant and KYT reason
 *   GET /withdrawals/:id/timeline          its events in time order and its review quorum
 *   GET /deposits/:id/timeline             its events in time order
 * A cursor this service did not make answers 400 invalid; an unknown app_id or record 404.
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { listDepositPage } from '../modules/deposits/index.js';
import type { RecordListFilter } from '../modules/records/index.js';
import { listWithdrawalPage } from '../modules/withdrawals/index.js';
import type { Db } from '../store/tx.js';
import { requireMerchant } from './actions.js';
import { depositTimelineAction, showDepositAction, withdrawalTimelineAction } from './record-views.js';
import { operatorRoute } from './typed-route.js';

/** The list filters as the modules take them (an unknown app_id: 404 not_found). */
async function filterOf(
  db: Db,
  q: { app_id?: string | undefined; symbol?: string | undefined; status?: number[] | undefined; from_ms?: number | undefined; to_ms?: number | undefined; address?: string | undefined; txid?: string | undefined },
): Promise<RecordListFilter> {
  return {
    ...(q.app_id !== undefined ? { merchantId: Number((await requireMerchant(db, q.app_id)).id) } : {}),
    ...(q.symbol !== undefined ? { symbol: q.symbol } : {}),
    ...(q.status !== undefined ? { statuses: q.status } : {}),
    ...(q.from_ms !== undefined ? { fromMs: q.from_ms } : {}),
    ...(q.to_ms !== undefined ? { toMs: q.to_ms } : {}),
    ...(q.address !== undefined ? { address: q.address } : {}),
    ...(q.txid !== undefined ? { txid: q.txid } : {}),
  };
}

const pageArgs = (q: { cursor?: string | undefined; limit?: number | undefined }) => ({ ...(q.cursor !== undefined ? { cursor: q.cursor } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}) });

/** Registers the record routes; schemas and views in contracts/operator.ts. */
export function registerRecordRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  operatorRoute(app, 'GET /withdrawals', async ({ query: q }) => {
    const filter = { ...(await filterOf(ctx.store.db, q)), ...(q.request_id !== undefined ? { requestId: q.request_id } : {}) };
    const page = await listWithdrawalPage(ctx.store.db, { filter, ...pageArgs(q) });
    return { withdrawals: page.rows, next_cursor: page.next_cursor };
  });
  operatorRoute(app, 'GET /withdrawals/:id/timeline', async ({ params }) => withdrawalTimelineAction(ctx, params.id));
  operatorRoute(app, 'GET /deposits', async ({ query: q }) => {
    const page = await listDepositPage(ctx.store.db, { filter: await filterOf(ctx.store.db, q), ...pageArgs(q) });
    return { deposits: page.rows, next_cursor: page.next_cursor };
  });
  operatorRoute(app, 'GET /deposits/:id', async ({ params }) => showDepositAction(ctx, params.id));
  operatorRoute(app, 'GET /deposits/:id/timeline', async ({ params }) => depositTimelineAction(ctx, params.id));
}
