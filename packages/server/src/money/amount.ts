import { ErrorCode } from '@openwaas/sdk';
import { ApiError } from '../errors/api-error.js';
import { amountLengthMax } from '../limits.js';

const decimalPattern = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string (the wire form) into base units. Refuses negatives, exponents,
 * signs, blanks and floats; more decimals than the coin has → 110161.
 * @param field names the field in the 100004 message.
 */
export function parseAmount(input: unknown, decimals: number, field = 'amount'): bigint {
  if (typeof input === 'number') {
    // Numbers arrive from lax clients; accept only those whose text form is a plain decimal.
    if (!Number.isFinite(input)) throw ApiError.invalid(field);
    input = String(input);
  }
  if (typeof input !== 'string') throw ApiError.invalid(field, 'must be a decimal string');
  const text = input.trim();
  if (text.length === 0 || text.length > amountLengthMax) throw ApiError.invalid(field);
  const match = decimalPattern.exec(text);
  if (!match) throw ApiError.invalid(field, 'must be a positive decimal number');
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals) throw new ApiError(ErrorCode.TooPrecise, `${field} has more than ${decimals} decimals`);
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** Formats base units as a decimal string without trailing zeros ("0.001", "10"). */
export function formatAmount(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? '.' + fraction : ''}`;
}
