/**
 * Expected failures of operator actions (operator API and CLI). Each code has one HTTP status
 * here; codes are part of the operator API and are never reused for another meaning.
 */
export const adminErrorStatus = {
  /** The request is malformed or a value is out of range. */
  invalid: 400,
  /** Missing or wrong bearer token. */
  unauthorized: 401,
  /** The thing named does not exist (merchant, coin, user, notification, address…). */
  not_found: 404,
  /** The operator API is switched off (no operator token configured). */
  disabled: 404,
  /** The action does not fit the current state (e.g. a withdrawal already decided). */
  conflict: 409,
  /** A debit would take the balance below zero. */
  insufficient_balance: 409,
  /** Too many failed authentications from this address: wait for Retry-After seconds. */
  too_many_attempts: 429,
} as const;

export type AdminErrorCode = keyof typeof adminErrorStatus;

/** A typed operator-facing failure: `code` is stable, `message` says what to fix. */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    readonly code: AdminErrorCode,
    message: string,
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
