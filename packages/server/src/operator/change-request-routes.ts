/**
 * Operator API of change requests (four-eyes.ts): viewers read them, an admin other than the
 * requester approves (the change applies then, in the transaction that decides the request)
 * or rejects (nothing changes). Each decision's audit entry holds the record before and after.
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { decideChangeRequest, getChangeRequest, listChangeRequests } from '../modules/change-requests/index.js';
import { actorOf } from './actor-of.js';
import { noteAudit } from './audit-trail.js';
import { applyChangeRequest, refusalOf } from './four-eyes.js';
import { operatorRoute } from './typed-route.js';

export function registerChangeRequestRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  operatorRoute(app, 'GET /change-requests', async ({ query: q }) => ({
    change_requests: await listChangeRequests(ctx.store.db, {
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.after_id !== undefined ? { afterId: q.after_id } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    }),
  }));
  operatorRoute(app, 'GET /change-requests/:id', async ({ params }) => getChangeRequest(ctx.store.db, params.id));
  for (const decision of ['approve', 'reject'] as const) {
    operatorRoute(app, `POST /change-requests/:id/${decision}`, async ({ params, body }, request) => {
      const actor = actorOf(request);
      const decided = await decideChangeRequest(ctx.store, {
        id: params.id,
        actor,
        decision,
        ...(body.reason !== undefined ? { reason: body.reason } : {}),
        nowMs: ctx.clock.nowMs(),
        apply: (tx, pending) => applyChangeRequest(ctx, tx, pending, actor),
        refusalOf,
      });
      noteAudit(request, { before: { kind: decided.kind, target: decided.target, record: decided.before }, after: { state: decided.state, record: decided.result, error: decided.error } });
      return decided;
    });
  }
}
