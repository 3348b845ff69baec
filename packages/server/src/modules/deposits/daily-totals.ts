/** Deposits per day for operators (the overview): credited volume and count per coin, and the KYT holds. */
import { DepositStatus } from '@openwaas/sdk';
import { overviewRowsPerReadMax } from '../../limits.js';
import { addToDailyTotals, type DailyTotal } from '../../money/daily-totals.js';
import type { Db } from '../../store/tx.js';
import * as repo from './repository.js';
import { heldDepositStatuses } from './review.js';

/**
 * Credited deposits per UTC day and coin whose credit (their last change) falls in
 * [fromMs, toMs): count and exact sum in base units (BigInt over the rows, read in pages of
 * overviewRowsPerReadMax; the databases' own sums are not exact everywhere).
 */
export async function creditedDepositTotals(db: Db, window: { fromMs: number; toMs: number }): Promise<DailyTotal[]> {
  const totals = new Map<string, DailyTotal>();
  let afterId = 0;
  for (;;) {
    const rows = await repo.listDepositAmountsChangedIn(db, { status: DepositStatus.Succeeded, ...window, afterId, limit: overviewRowsPerReadMax });
    addToDailyTotals(totals, rows);
    if (rows.length < overviewRowsPerReadMax) break;
    afterId = rows[rows.length - 1]!.id;
  }
  return [...totals.values()];
}

/** Deposits held by KYT or the circuit breaker (statuses 4/5/6), waiting for an operator or the screening. */
export function countHeldDeposits(db: Db): Promise<number> {
  return repo.countDepositsInStatuses(db, heldDepositStatuses);
}
