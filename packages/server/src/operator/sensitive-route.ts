import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { actorOf } from './actor-of.js';
import { auditInTransaction, noteAudit } from './audit-trail.js';
import { PendingChange, runSensitive, type SensitiveRoute } from './four-eyes.js';
import { operatorRoute } from './typed-route.js';

/**
 * Registers a sensitive route (four-eyes.ts): applied at once (its audit entry holds the record
 * before and after), or answered 202 with the change request a second admin decides (its
 * entry holds the record before and the request). A direct money move records its entry in
 * its own transaction.
 */
export function sensitiveRoute<R extends SensitiveRoute>(app: FastifyInstance, ctx: ServiceContext, key: R): void {
  operatorRoute(app, key, async (input, request) => {
    const money = key === 'POST /balances/credit' || key === 'POST /balances/debit';
    if (money) {
      const b = (input as { body: { uid?: number; app_id?: string } }).body;
      noteAudit(request, { target: b.uid !== undefined ? `/users/${b.uid}` : `/merchants/${encodeURIComponent(b.app_id!)}/collection` });
    }
    const out = await runSensitive(ctx, key, input, actorOf(request), money ? auditInTransaction(app, key, request) : undefined);
    if (out.target !== undefined) noteAudit(request, { target: out.target });
    if ('pending' in out) {
      noteAudit(request, { before: out.before, after: { change_request: out.pending.id, state: out.pending.state, change: out.pending.change } });
      return new PendingChange(out.pending);
    }
    if (!money) noteAudit(request, { before: out.before, ...(out.applied !== undefined ? { after: out.applied } : {}) });
    return out.applied;
  });
}
