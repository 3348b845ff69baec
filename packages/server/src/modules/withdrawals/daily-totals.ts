/** Withdrawals per day for operators (the overview): paid volume and count per coin, and what waits for review. */
import { WithdrawStatus } from '@openwaas/sdk';
import { overviewRowsPerReadMax } from '../../limits.js';
import { addToDailyTotals, type DailyTotal } from '../../money/daily-totals.js';
import type { Db } from '../../store/tx.js';
import { heldWithdrawalStatuses } from './kyt-hold.js';
import * as repo from './repository.js';

/**
 * Paid withdrawals (status 5) per UTC day and coin whose success (their last change) falls in
 * [fromMs, toMs): count and exact sum of `amount` in base units (BigInt over the rows, read in
 * pages of overviewRowsPerReadMax).
 */
export async function paidWithdrawalTotals(db: Db, window: { fromMs: number; toMs: number }): Promise<DailyTotal[]> {
  const totals = new Map<string, DailyTotal>();
  let afterId = 0;
  for (;;) {
    const rows = await repo.listWithdrawalAmountsChangedIn(db, { status: WithdrawStatus.Succeeded, ...window, afterId, limit: overviewRowsPerReadMax });
    addToDailyTotals(totals, rows);
    if (rows.length < overviewRowsPerReadMax) break;
    afterId = rows[rows.length - 1]!.id;
  }
  return [...totals.values()];
}

/** Withdrawals waiting for review (status 0). */
export function countWithdrawalsInReview(db: Db): Promise<number> {
  return repo.countWithdrawalsInStatuses(db, [WithdrawStatus.Review]);
}

/** Withdrawals held by KYT (statuses 7/8). */
export function countHeldWithdrawals(db: Db): Promise<number> {
  return repo.countWithdrawalsInStatuses(db, heldWithdrawalStatuses);
}

/** Statuses a withdrawal waits in (the terminal ones only grow, and are not counted at a scrape). */
export const openWithdrawalStatuses = { review: WithdrawStatus.Review, paying: WithdrawStatus.Paying, awaiting_kyt: WithdrawStatus.AwaitingKyt, kyt_manual_review: WithdrawStatus.KytManualReview } as const;

/** Withdrawals in each open status, each count capped at `countMax` (the metrics scrape's bounded read). */
export async function countOpenWithdrawals(db: Db, countMax: number): Promise<Record<keyof typeof openWithdrawalStatuses, number>> {
  const out = {} as Record<keyof typeof openWithdrawalStatuses, number>;
  for (const [name, status] of Object.entries(openWithdrawalStatuses) as Array<[keyof typeof openWithdrawalStatuses, number]>) {
    out[name] = await repo.countWithdrawalsAtStatusUpTo(db, { status, countMax });
  }
  return out;
}
