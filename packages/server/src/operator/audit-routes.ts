import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import type { OperatorAuditPage, OperatorRequest } from '../contracts/operator.js';
import { listOperatorAudit, operatorAuditPageDefault, verifyOperatorAudit, type AuditEntryFilter } from '../modules/operator-audit/index.js';
import type { Db } from '../store/tx.js';
import { operatorRoute } from './typed-route.js';

/** The filters of GET /audit/operators (and `audit operators --list`) as the module takes them. */
export function operatorAuditFilterOf(q: OperatorRequest<'GET /audit/operators'>['query']): AuditEntryFilter {
  return {
    ...(q.operator_id !== undefined ? { operatorId: q.operator_id } : {}),
    ...(q.action !== undefined ? { action: q.action } : {}),
    ...(q.target !== undefined ? { target: q.target } : {}),
    ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
    ...(q.from !== undefined ? { fromMs: q.from } : {}),
    ...(q.to !== undefined ? { toMs: q.to } : {}),
  };
}

/** One page of the trail with the id to page on from (null on the last page). */
export async function operatorAuditPage(db: Db, q: OperatorRequest<'GET /audit/operators'>['query']): Promise<OperatorAuditPage> {
  const limit = q.limit ?? operatorAuditPageDefault;
  const entries = await listOperatorAudit(db, { filter: operatorAuditFilterOf(q), ...(q.after_id !== undefined ? { afterId: q.after_id } : {}), limit });
  return { entries, next_after_id: entries.length === limit ? entries[entries.length - 1]!.id : null };
}

/** GET /audit/operators (list and filter the trail) and GET /audit/operators/verify (walk its hash chain). */
export function operatorAuditRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  operatorRoute(app, 'GET /audit/operators', async ({ query }) => operatorAuditPage(ctx.store.db, query));
  operatorRoute(app, 'GET /audit/operators/verify', async () => verifyOperatorAudit(ctx.store.db));
}
