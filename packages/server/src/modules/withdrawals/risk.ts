import { WithdrawStatus } from '@openwaas/sdk';
import type { CoinRecord } from '../coins/index.js';
import type { Db } from '../../store/tx.js';
import { listWithdrawnAmountsSince } from './repository.js';

/** One UTC day. */
const dayMs = 86_400_000;
/** Statuses that no longer count against the daily limit: the money stayed with the user. */
const releasedStatuses = [WithdrawStatus.Rejected, WithdrawStatus.Failed, WithdrawStatus.Cancelled];

/** The risk decision for a new withdrawal. */
export type RiskDecision = { autoApprove: true } | { autoApprove: false; reason: string };

/** Start of the UTC day containing `nowMs`. */
export function utcDayStartMs(nowMs: number): number {
  return nowMs - (((nowMs % dayMs) + dayMs) % dayMs);
}

/**
 * Sum of the user's withdrawals of a coin created since the start of the current UTC day,
 * excluding released ones and `excludeId` (the withdrawal being decided). Summed in BigInt:
 * SQLite stores amounts as text, so the database cannot add them.
 */
export async function userDailyWithdrawn(db: Db, input: { uid: number; coinId: number; nowMs: number; excludeId?: number }): Promise<bigint> {
  const amounts = await listWithdrawnAmountsSince(db, {
    uid: input.uid,
    coinId: input.coinId,
    sinceMs: utcDayStartMs(input.nowMs),
    excludeStatuses: releasedStatuses,
    ...(input.excludeId !== undefined ? { excludeId: input.excludeId } : {}),
  });
  return amounts.reduce((total, a) => total + a, 0n);
}

/**
 * Decides whether a withdrawal is approved automatically: its amount is at most the coin's
 * auto_approve_max, and with the user's other withdrawals of the coin today it stays within
 * daily_limit ("0" = no limit). Call it after the user's balance row is locked (postJournal),
 * so concurrent withdrawals of the same user and coin are decided one after the other.
 */
export async function decideWithdrawalRisk(
  db: Db,
  input: { coin: CoinRecord; uid: number; amount: bigint; withdrawalId: number; nowMs: number },
): Promise<RiskDecision> {
  const autoMax = input.coin.auto_approve_max;
  if (input.amount > autoMax) return { autoApprove: false, reason: `amount above the auto-approval limit of ${input.coin.symbol}` };
  const dailyLimit = input.coin.daily_limit;
  if (dailyLimit > 0n) {
    const before = await userDailyWithdrawn(db, { uid: input.uid, coinId: Number(input.coin.id), nowMs: input.nowMs, excludeId: input.withdrawalId });
    if (before + input.amount > dailyLimit) return { autoApprove: false, reason: `daily limit of ${input.coin.symbol} exceeded` };
  }
  return { autoApprove: true };
}
