import { formatAmount } from '../../money/amount.js';
import type { Db } from '../../store/tx.js';
import { destinationRulesFor, isAllowlisted } from './destinations.js';
import { lockVelocityRow } from './repository.js';
import { velocityLimitsFor, type VelocityScope } from './velocity.js';

/**
 * The spending rules' decision on a new withdrawal: every rule it breaks, with the figures
 * that broke it. Empty means the rules let it pay. The withdrawals module supplies the history
 * (its table), this module the rules (its tables).
 */

/** What the decision reads of past withdrawals (the one being decided left out). */
export interface SpendingHistory {
  /** Sum (base units) and count of the withdrawals counted against velocity created since `sinceMs`, of the user or of the whole merchant. */
  withdrawnSince(scope: VelocityScope, sinceMs: number): Promise<{ amount: bigint; count: number }>;
  /** True when a withdrawal of the merchant to this destination was paid. */
  destinationPaid(): Promise<boolean>;
  /** When the merchant's first withdrawal to this destination was requested; undefined when this is the first. */
  destinationFirstSeenMs(): Promise<number | undefined>;
}

/** One rule a withdrawal broke, with its figures (amounts in coin units). */
export type PolicyHit =
  | {
      rule: 'velocity';
      /** Whose limit: the coin's (every merchant) or the merchant's own. */
      policy: 'coin' | 'merchant';
      scope: VelocityScope;
      window_s: number;
      max_amount: string;
      max_count: number;
      /** Withdrawn in the window before this one. */
      amount_before: string;
      count_before: number;
      amount: string;
    }
  | { rule: 'allowlist'; chain: string; address: string }
  | { rule: 'cooldown'; address: string; first_seen_at: number; cooldown_s: number; ends_at: number };

/** The words for a hit in the review reason. */
export function describeHit(hit: PolicyHit, symbol: string): string {
  switch (hit.rule) {
    case 'velocity': {
      const bounds = [hit.max_amount !== '0' ? `${hit.max_amount} ${symbol}` : '', hit.max_count > 0 ? `${hit.max_count} withdrawals` : ''].filter((s) => s !== '').join(' / ');
      return `${hit.scope} velocity limit of ${bounds} per ${hit.window_s} s exceeded (${hit.amount_before} ${symbol} in ${hit.count_before} before)`;
    }
    case 'allowlist':
      return `destination not on the merchant's allowlist`;
    case 'cooldown':
      return `first payment to this destination: cool-down of ${hit.cooldown_s} s until ${new Date(hit.ends_at).toISOString()}`;
  }
}

/**
 * Decides a withdrawal against the spending rules. Call it in the request's transaction after
 * the user's balance rows are locked: that serialises one user's withdrawals, and the merchant's
 * velocity row locked here serialises the merchant's, so concurrent requests see each other.
 */
export async function decideSpending(
  db: Db,
  input: { merchantId: number; coinId: number; decimals: number; chain: string; amount: bigint; destination: string; nowMs: number },
  history: SpendingHistory,
): Promise<PolicyHit[]> {
  const hits: PolicyHit[] = [];
  const { limits, policy } = await velocityLimitsFor(db, { merchantId: input.merchantId, coinId: input.coinId });
  if (limits.some((l) => l.scope === 'merchant')) await lockVelocityRow(db, { merchantId: input.merchantId, coinId: input.coinId });
  for (const limit of limits) {
    const before = await history.withdrawnSince(limit.scope, input.nowMs - limit.window_s * 1000);
    const maxAmount = BigInt(limit.max_amount);
    const overAmount = maxAmount > 0n && before.amount + input.amount > maxAmount;
    const overCount = limit.max_count > 0 && before.count + 1 > limit.max_count;
    if (overAmount || overCount) {
      hits.push({
        rule: 'velocity',
        policy,
        scope: limit.scope,
        window_s: limit.window_s,
        max_amount: formatAmount(maxAmount, input.decimals),
        max_count: limit.max_count,
        amount_before: formatAmount(before.amount, input.decimals),
        count_before: before.count,
        amount: formatAmount(input.amount, input.decimals),
      });
    }
  }
  const rules = await destinationRulesFor(db, input.merchantId);
  if (rules.allowlistEnabled && !(await isAllowlisted(db, { merchantId: input.merchantId, chain: input.chain, canonical: input.destination }))) {
    hits.push({ rule: 'allowlist', chain: input.chain, address: input.destination });
  }
  if (rules.newAddressCooldownS > 0 && !(await history.destinationPaid())) {
    const firstSeenAt = (await history.destinationFirstSeenMs()) ?? input.nowMs;
    const endsAt = firstSeenAt + rules.newAddressCooldownS * 1000;
    if (input.nowMs < endsAt) hits.push({ rule: 'cooldown', address: input.destination, first_seen_at: firstSeenAt, cooldown_s: rules.newAddressCooldownS, ends_at: endsAt });
  }
  return hits;
}
