import type { AccountRef } from './accounts.js';

/** A posting would take an account below zero: callers map it to 120402/120403. */
export class InsufficientFundsError extends Error {
  override name = 'InsufficientFundsError';
  constructor(
    readonly account: AccountRef,
    readonly bucket: 'normal' | 'lock',
  ) {
    super(`insufficient ${bucket} balance in ${account.kind} account`);
  }
}
