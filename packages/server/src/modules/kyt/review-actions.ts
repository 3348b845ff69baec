import { heldWithdrawalView, listHeldWithdrawals, rejectHeldWithdrawal, releaseWithdrawal, type HeldWithdrawalView } from '../withdrawals/index.js';
import { heldPageSizeMax } from '../../limits.js';
import { heldDepositView, listHeldDeposits, rejectDeposit, releaseDeposit, type HeldDepositView } from '../deposits/index.js';
import type { HeldDecisionDeps, HeldListDeps } from './deps.js';
import type { ReviewSide } from './review-errors.js';

export { heldPageSizeMax };

/** Records held by KYT: deposits 4/5/6 and withdrawals 7/8, oldest first. */
export interface HeldRecords {
  deposits: HeldDepositView[];
  withdrawals: HeldWithdrawalView[];
}

/**
 * What operators review (operator API GET /kyt, `openwaas kyt list`). `side` limits the list
 * to one kind; `afterId` pages within that kind (ids are per kind), so it needs `side`.
 */
export async function listHeldAction(ctx: HeldListDeps, options: { side?: ReviewSide; afterId?: number; limit?: number } = {}): Promise<HeldRecords> {
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? heldPageSizeMax)), heldPageSizeMax);
  const page = { ...(options.afterId !== undefined ? { afterId: options.afterId } : {}), limit };
  return {
    deposits: options.side === 'withdrawal' ? [] : await listHeldDeposits(ctx, page),
    withdrawals: options.side === 'deposit' ? [] : await listHeldWithdrawals(ctx, page),
  };
}

/** An operator's decision about one held record. */
export type HeldDecision = { side: ReviewSide; id: number; by?: string } & ({ action: 'release' } | { action: 'reject'; reason: string });

/**
 * Releases or rejects a held deposit or withdrawal; answers the record as it now is.
 * @throws ReviewStateError (not found / not held), AdminError invalid (no reason).
 */
export async function decideHeldAction(ctx: HeldDecisionDeps, decision: HeldDecision): Promise<HeldDepositView | HeldWithdrawalView> {
  const by = decision.by !== undefined ? { by: decision.by } : {};
  if (decision.side === 'deposit') {
    const d =
      decision.action === 'release'
        ? await releaseDeposit(ctx, { depositId: decision.id, ...by })
        : await rejectDeposit(ctx, { depositId: decision.id, reason: decision.reason, ...by });
    return heldDepositView(ctx, d);
  }
  const w =
    decision.action === 'release'
      ? await releaseWithdrawal(ctx, { withdrawalId: decision.id, ...by })
      : await rejectHeldWithdrawal(ctx, { withdrawalId: decision.id, reason: decision.reason, ...by });
  return heldWithdrawalView(ctx, w);
}
