import type { KytConfig } from '../../config/kyt-config.js';
import { formatAmount } from '../../money/amount.js';
import type { KytProvider, KytSubject, KytVerdict } from './provider.js';
import { limitUnits } from './threshold.js';

/** The forms of an address a deny-list entry may take: whole, and without a memo ("addr_memo"). */
function addressForms(address: string): string[] {
  const lower = address.toLowerCase();
  const at = lower.indexOf('_');
  return at > 0 ? [lower, lower.slice(0, at)] : [lower];
}

/**
 * The built-in rules, decided from the configuration alone: a counterparty on the deny list
 * or an amount above the coin's `reviewAbove` limit goes to manual review; everything else
 * passes. (The deposit circuit breaker needs the database: screening.ts applies it.)
 */
export class BuiltinKytProvider implements KytProvider {
  readonly name = 'builtin';
  private readonly denied: ReadonlySet<string>;

  constructor(private readonly config: Pick<KytConfig, 'denyAddresses' | 'reviewAbove'>) {
    this.denied = new Set(config.denyAddresses);
  }

  async screen(subject: KytSubject): Promise<KytVerdict> {
    if (subject.address !== '' && addressForms(subject.address).some((a) => this.denied.has(a))) {
      const direction = subject.side === 'deposit' ? 'from' : 'to';
      return { outcome: 'review', reason: `${subject.side} ${direction} denied address ${subject.address.toLowerCase()}` };
    }
    const limit = this.config.reviewAbove[subject.symbol];
    if (limit !== undefined && subject.amount > limitUnits(limit, subject.decimals)) {
      return { outcome: 'review', reason: `amount ${formatAmount(subject.amount, subject.decimals)} ${subject.symbol} is above the review limit ${limit}` };
    }
    return { outcome: 'pass' };
  }
}
