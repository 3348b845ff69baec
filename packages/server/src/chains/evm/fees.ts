import type { FeeQuote } from './send-side.js';

/**
 * The EVM fee model of outgoing EIP-1559 transactions: the fees of a new transaction (the
 * node's quote, never above the configured cap), the fees of a replacement (bumped on both
 * fields, as nodes demand) and the most gas can cost. No database and no network here: the
 * EVM payer (payer.ts) decides when to call these.
 */

/** The two EIP-1559 fee fields of a transaction, in wei per gas. */
export interface TxFees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** Nodes refuse a replacement that raises either fee field by less than this. */
export const replacementBumpPercentMin = 10;

const maxOf = (...values: bigint[]) => values.reduce((a, b) => (a > b ? a : b));
const minOf = (...values: bigint[]) => values.reduce((a, b) => (a < b ? a : b));

/** Fees for a new transaction: the node's quote, held under `cap` (wei; 0 = no cap). */
export function feesWithinCap(quote: FeeQuote, cap: bigint): TxFees {
  if (cap <= 0n || quote.maxFeePerGas <= cap) return { maxFeePerGas: quote.maxFeePerGas, maxPriorityFeePerGas: quote.maxPriorityFeePerGas };
  return { maxFeePerGas: cap, maxPriorityFeePerGas: minOf(quote.maxPriorityFeePerGas, cap) };
}

/**
 * Fees of a replacement for a transaction paying `old`: both fields raised by `bumpPercent`
 * (at least 10, rounded up), and never below what the node quotes now. Undefined when the cap
 * leaves no room for a valid bump: the caller keeps re-sending the old transaction.
 */
export function bumpedFees(old: TxFees, bumpPercent: number, quote: FeeQuote, cap: bigint): TxFees | undefined {
  const percent = BigInt(Math.max(Math.ceil(bumpPercent), replacementBumpPercentMin));
  const up = (v: bigint) => (v * (100n + percent) + 99n) / 100n;
  const maxPriorityFeePerGas = maxOf(up(old.maxPriorityFeePerGas), quote.maxPriorityFeePerGas);
  const maxFeePerGas = maxOf(up(old.maxFeePerGas), quote.maxFeePerGas, maxPriorityFeePerGas);
  if (cap > 0n && maxFeePerGas > cap) return undefined;
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/** Most a transaction can cost in gas: gas limit × max fee per gas (wei). */
export function maxGasCost(gasLimit: bigint, fees: TxFees): bigint {
  return gasLimit * fees.maxFeePerGas;
}
