import { operatorErrorRegistry, operatorErrorStatus, type OperatorErrorCode } from '../contracts/operator-errors.js';

/**
 * Expected failures of operator actions (operator API and CLI). Codes, statuses and meanings
 * live in the operator error registry (contracts/operator-errors.ts); `internal` is the
 * answer to a bug and is never thrown as an AdminError.
 */
export type AdminErrorCode = Exclude<OperatorErrorCode, 'internal'>;

/** HTTP status of every code an AdminError may carry. */
export const adminErrorStatus: { readonly [C in AdminErrorCode]: (typeof operatorErrorRegistry)[C]['httpStatus'] } = (() => {
  const { internal: _internal, ...rest } = operatorErrorStatus;
  return rest;
})();

/** A typed operator-facing failure: `code` is stable, `message` says what to fix. */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    readonly code: AdminErrorCode,
    message: string = operatorErrorRegistry[code].message,
  ) {
    super(message);
  }

  get status(): number {
    return adminErrorStatus[this.code];
  }

  static notFound(what: string): AdminError {
    return new AdminError('not_found', `${what} not found`);
  }

  static invalid(message: string): AdminError {
    return new AdminError('invalid', message);
  }
}
