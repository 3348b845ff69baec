import { DepositStatus } from '@openwaas/sdk';
import type { KytBreakerConfig } from '../../config/kyt-config.js';
import type { Coin, Deposit } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { formatAmount } from '../amount.js';
import type { KytVerdict } from './provider.js';
import { limitUnits } from './threshold.js';

/** Rows read per query while summing a window. */
const pageSize = 1_000;

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
export async function checkDepositBreaker(db: Db, breaker: KytBreakerConfig, deposit: Deposit, coin: Coin): Promise<Extract<KytVerdict, { outcome: 'breaker' }> | null> {
  const createdAt = Number(deposit.created_at);
  const depositId = Number(deposit.id);
  const earlier = () =>
    db
      .selectFrom('deposits')
      .where('merchant_id', '=', Number(deposit.merchant_id))
      .where('coin_id', '=', Number(deposit.coin_id))
      .where('status', '!=', DepositStatus.Failed)
      .where('withdrawal_id', 'is', null)
      .where('id', '!=', depositId)
      .where('created_at', '>', createdAt - breaker.windowMs)
      .where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', depositId)])]));
  const window = describeDuration(breaker.windowMs);

  if (breaker.maxCount !== undefined) {
    const row = await earlier()
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    const count = Number(row.n) + 1;
    if (count > breaker.maxCount) {
      return { outcome: 'breaker', reason: `deposit circuit breaker: ${count} ${coin.symbol} deposits within ${window} (limit ${breaker.maxCount})` };
    }
  }

  const max = breaker.maxAmount[coin.symbol];
  if (max !== undefined) {
    const limit = limitUnits(max, coin.decimals);
    let total = BigInt(deposit.amount);
    let afterId = 0;
    // Summed in BigInt (SQLite stores amounts as text); stops as soon as the limit is passed.
    while (total <= limit) {
      const rows = await earlier().select(['id', 'amount']).where('id', '>', afterId).orderBy('id').limit(pageSize).execute();
      for (const r of rows) total += BigInt(r.amount);
      if (rows.length < pageSize) break;
      afterId = Number(rows[rows.length - 1]!.id);
    }
    if (total > limit) {
      return { outcome: 'breaker', reason: `deposit circuit breaker: ${formatAmount(total, coin.decimals)} ${coin.symbol} deposited within ${window} (limit ${max})` };
    }
  }
  return null;
}
