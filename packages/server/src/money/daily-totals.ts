/** The length of a UTC day in milliseconds. */
export const dayMs = 86_400_000;

/** The UTC day (days since the epoch) of `atMs`. */
export const utcDayOf = (atMs: number): number => Math.floor(atMs / dayMs);

/** One day's count and exact sum (base units) of one coin's records. */
export interface DailyTotal {
  /** UTC day: days since the epoch. */
  day: number;
  coinId: number;
  count: number;
  units: bigint;
}

/** Adds `rows` to `totals` (keyed "day:coinId"), summing amounts as BigInt: never a float. */
export function addToDailyTotals(totals: Map<string, DailyTotal>, rows: ReadonlyArray<{ coinId: number; amount: bigint; atMs: number }>): void {
  for (const r of rows) {
    const day = utcDayOf(r.atMs);
    const key = `${day}:${r.coinId}`;
    const total = totals.get(key);
    if (total) {
      total.count += 1;
      total.units += r.amount;
    } else {
      totals.set(key, { day, coinId: r.coinId, count: 1, units: r.amount });
    }
  }
}
