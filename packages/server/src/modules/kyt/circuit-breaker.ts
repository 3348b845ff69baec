import type { KytBreakerConfig } from '../../config/kyt-config.js';
import { formatAmount } from '../../money/amount.js';
import { breakerPageMax } from '../../limits.js';
import type { CoinRecord } from '../coins/index.js';
import type { Db } from '../../store/tx.js';
import { countBreakerWindow, pageBreakerWindow, type BreakerWindow, type DepositRecord } from '../deposits/index.js';
import type { KytVerdict } from './provider.js';
import { limitUnits } from './threshold.js';

/** "90 s", "15 min", "2 h": a window as operators read it. */
function describeDuration(ms: number): string {
  if (ms < 120_000) return `${+(ms / 1000).toFixed(3)} s`;
  if (ms < 7_200_000) return `${+(ms / 60_000).toFixed(1)} min`;
  return `${+(ms / 3_600_000).toFixed(1)} h`;
}

/**
 * The deposit circuit breaker. The window is anchored at the screened deposit: it holds this
 * merchant's on-chain deposits of the same coin created in (created_at − windowMs, created_at],
 * earlier ids first on a tie, this deposit included. So a deposit's verdict does not depend on
 * when it is screened (a re-screen agrees) nor on deposits that arrived after it. Failed
 * deposits (reorganised away, rejected) and internal ones (ledger transfers) do not count.
 * Returns the 'breaker' verdict, or null when the deposit stays within the limits.
 */
export async function checkDepositBreaker(db: Db, breaker: KytBreakerConfig, deposit: DepositRecord, coin: CoinRecord): Promise<Extract<KytVerdict, { outcome: 'breaker' }> | null> {
  const earlier: BreakerWindow = {
    merchantId: Number(deposit.merchant_id),
    coinId: Number(deposit.coin_id),
    depositId: Number(deposit.id),
    createdAtMs: Number(deposit.created_at),
    windowMs: breaker.windowMs,
  };
  const window = describeDuration(breaker.windowMs);

  if (breaker.maxCount !== undefined) {
    const count = (await countBreakerWindow(db, earlier)) + 1;
    if (count > breaker.maxCount) {
      return { outcome: 'breaker', reason: `deposit circuit breaker: ${count} ${coin.symbol} deposits within ${window} (limit ${breaker.maxCount})` };
    }
  }

  const max = breaker.maxAmount[coin.symbol];
  if (max !== undefined) {
    const limit = limitUnits(max, coin.decimals);
    let total = deposit.amount;
    let afterId = 0;
    // Summed in BigInt (SQLite stores amounts as text); stops as soon as the limit is passed.
    while (total <= limit) {
      const rows = await pageBreakerWindow(db, { window: earlier, afterId, limit: breakerPageMax });
      for (const r of rows) total += r.amount;
      if (rows.length < breakerPageMax) break;
      afterId = rows[rows.length - 1]!.id;
    }
    if (total > limit) {
      return { outcome: 'breaker', reason: `deposit circuit breaker: ${formatAmount(total, coin.decimals)} ${coin.symbol} deposited within ${window} (limit ${max})` };
    }
  }
  return null;
}
