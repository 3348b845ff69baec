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
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.js';
import { decideHeldAction, heldPageSizeMax, listHeldAction } from '../domain/kyt/review-actions.js';
import { reviewReasonLengthMax, type ReviewSide } from '../domain/kyt/review-errors.js';

const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const listQuery = z
  .object({
    side: z.enum(['deposit', 'withdrawal']).optional(),
    after_id: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().positive().max(heldPageSizeMax).optional(),
  })
  .refine((q) => q.after_id === undefined || q.side !== undefined, 'after_id pages within one side: give side too');
const releaseBody = z.strictObject({ by: z.string().trim().min(1).max(100).optional() });
const rejectBody = z.strictObject({ reason: z.string().max(reviewReasonLengthMax), by: z.string().trim().min(1).max(100).optional() });

/** Empty bodies (POST without content) read as {}. */
const body = (request: FastifyRequest) => (request.body === undefined || request.body === null || request.body === '' ? {} : request.body);

/** Registers the KYT routes on the operator plugin instance (inside its auth hook and error handler). */
export function registerKytRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/kyt', async (request) => {
    const q = listQuery.parse(request.query);
    return listHeldAction(ctx, {
      ...(q.side !== undefined ? { side: q.side } : {}),
      ...(q.after_id !== undefined ? { afterId: q.after_id } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
  });
  for (const [path, side] of [['deposits', 'deposit'], ['withdrawals', 'withdrawal']] as Array<[string, ReviewSide]>) {
    app.post(`/kyt/${path}/:id/release`, async (request) => {
      const { id } = idParams.parse(request.params);
      const b = releaseBody.parse(body(request));
      return decideHeldAction(ctx, { side, id, action: 'release', by: b.by ?? 'operator-api' });
    });
    app.post(`/kyt/${path}/:id/reject`, async (request) => {
      const { id } = idParams.parse(request.params);
      const b = rejectBody.parse(body(request));
      return decideHeldAction(ctx, { side, id, action: 'reject', reason: b.reason, by: b.by ?? 'operator-api' });
    });
  }
}
