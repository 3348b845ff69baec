/**
 * Operator API for KYT holds (mounted inside operatorRoutes, so the same Bearer token and
 * error answers apply):
 *   GET  /kyt[?side=deposit|withdrawal&after_id=N&limit=N]  held deposits (4/5/6) and withdrawals (7/8)
 *   POST /kyt/deposits/:id/release                         credit a held deposit (→ 1)
 *   POST /kyt/deposits/:id/reject     {"reason": "…"}      fail it (→ 2); funds stay in suspense
 *   POST /kyt/withdrawals/:id/release                      let the broadcaster pay it (→ 1)
 *   POST /kyt/withdrawals/:id/reject  {"reason": "…"}      reject it (→ 2); funds back to the user
 * A record that is not held (any more) answers 409 conflict; an unknown one 404 not_found.
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { findDeposit } from '../modules/deposits/index.js';
import { decideHeldAction, listHeldAction, type ReviewSide } from '../modules/kyt/index.js';
import { findWithdrawal } from '../modules/withdrawals/index.js';
import { noteAudit } from './audit-trail.js';
import { operatorRoute } from './typed-route.js';

/** Registers the KYT routes on the operator plugin instance (inside its auth hook and error handler); schemas and views in contracts/operator.ts. */
export function registerKytRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  // The record's status before the decision, for the audit trail (null: unknown, the decision answers 404).
  const heldStatus = async (side: ReviewSide, id: number) => {
    const record = side === 'deposit' ? await findDeposit(ctx.store.db, id) : await findWithdrawal(ctx.store.db, id);
    return record ? { status: record.status } : null;
  };
  operatorRoute(app, 'GET /kyt', async ({ query: q }) =>
    listHeldAction(ctx, {
      ...(q.side !== undefined ? { side: q.side } : {}),
      ...(q.after_id !== undefined ? { afterId: q.after_id } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    }),
  );
  for (const [path, side] of [['deposits', 'deposit'], ['withdrawals', 'withdrawal']] as const) {
    operatorRoute(app, `POST /kyt/${path}/:id/release`, async ({ params: { id }, body: b }, request) => {
      const before = await heldStatus(side, id);
      const after = await decideHeldAction(ctx, { side, id, action: 'release', by: b.by ?? 'operator-api' });
      noteAudit(request, { before, after });
      return after;
    });
    operatorRoute(app, `POST /kyt/${path}/:id/reject`, async ({ params: { id }, body: b }, request) => {
      const before = await heldStatus(side, id);
      const after = await decideHeldAction(ctx, { side, id, action: 'reject', reason: b.reason, by: b.by ?? 'operator-api' });
      noteAudit(request, { before, after });
      return after;
    });
  }
}
