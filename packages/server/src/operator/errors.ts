import { KeyParseError } from '@openwaas/sdk';
import { ZodError } from 'zod';
import { AdminError } from '../errors/admin-errors.js';
import { ApiError } from '../errors/api-error.js';
import { InsufficientFundsError } from '../modules/ledger/index.js';
import { WithdrawalStateError } from '../modules/withdrawals/index.js';
import { isUniqueViolation } from '../store/db.js';

/** Words for a zod failure: "field: problem; …". */
export function describeZodError(error: ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/**
 * Turns an expected failure of any layer into the operator-facing AdminError (operator API
 * and CLI answer the same codes); undefined for anything else, which is a bug.
 */
export function asAdminError(error: unknown): AdminError | undefined {
  if (error instanceof AdminError) return error;
  if (error instanceof ZodError) return AdminError.invalid(describeZodError(error));
  if (error instanceof KeyParseError) return AdminError.invalid(error.message);
  if (error instanceof ApiError) return AdminError.invalid(`${error.message} (${error.code})`);
  if (error instanceof InsufficientFundsError) return new AdminError('insufficient_balance', error.message);
  if (error instanceof WithdrawalStateError) {
    if (error.reason === 'not-found') return AdminError.notFound(`withdrawal ${error.withdrawalId}`);
    return new AdminError(error.reason === 'already-approved' ? 'already_approved' : 'conflict', error.message);
  }
  if (isUniqueViolation(error)) return new AdminError('conflict', 'already exists');
  return undefined;
}
