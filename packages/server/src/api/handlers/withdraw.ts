import { ApiError } from '../../errors/api-error.js';
import { requestWithdrawal, type WithdrawalRequestInput } from '../../modules/withdrawals/index.js';
import { identifierField, requestIdField, stringField, symbolField, uidField } from '../fields.js';
import type { Handler } from '../handler.js';
import { amountLengthMax, withdrawAddressLengthMax } from '../../limits.js';
const decimalPattern = /^\d+(?:\.\d+)?$/;
const zeroPattern = /^0+(?:\.0+)?$/;

/**
 * A decimal amount field: present, a string holding a plain positive decimal (no sign,
 * exponent, blank or surrounding space). A JSON number is refused: by the time it is parsed it
 * is a float (a client's 0.1 + 0.2 arrives as 0.30000000000000004), and amounts are decimal
 * strings on the wire (API.md §2), as the SDK sends them. Precision against the coin's
 * decimals is checked later (110161), once the coin is known.
 */
export function amountField(fields: Record<string, unknown>, name = 'amount'): string {
  if (typeof fields[name] === 'number') throw ApiError.invalid(name, 'must be a decimal string such as "1.5", not a JSON number');
  const text = stringField(fields, name, { max: amountLengthMax });
  if (!decimalPattern.test(text)) throw ApiError.invalid(name, 'must be a positive decimal number');
  if (zeroPattern.test(text)) throw ApiError.invalid(name, 'must be greater than 0');
  return text;
}

/** Checks the fields of #8 in the seed's order; each failure is 100004 naming the field. */
export function parseWithdrawFields(fields: Record<string, unknown>): WithdrawalRequestInput {
  const requestId = requestIdField(fields);
  const fromUid = uidField(fields, 'from_uid');
  const toAddress = identifierField(fields, 'to_address', { max: withdrawAddressLengthMax });
  const amount = amountField(fields);
  const symbol = symbolField(fields);
  return { requestId, fromUid, toAddress, amount, symbol };
}

/** #8 `/billing/withdraw`: answers `{id, status, withdraw_type}`. */
export const withdrawHandler: Handler<'withdraw'> = async (ctx, call) => {
  const w = await requestWithdrawal(ctx, call.merchant, parseWithdrawFields(call.fields));
  return { id: Number(w.id), status: w.status, withdraw_type: w.withdraw_type };
};
