import type { Db } from '../store/tx.js';
import { lockAccounts as lockAccountsInOrder, postJournal as post, type AccountRef, type JournalInput } from '../modules/ledger/index.js';

export { accountKey, ensureAccount, InsufficientFundsError, mayGoNegative, readBalance, type AccountRef, type JournalInput, type Posting } from '../modules/ledger/index.js';

// Compatibility for callers not yet moved to modules/ledger: the old signatures took the
// dialect to decide row locking, which the store now does; it is accepted and ignored.

export function lockAccounts(tx: Db, _legacyDialect: unknown, refs: AccountRef[]): Promise<void> {
  return lockAccountsInOrder(tx, refs);
}

export function postJournal(tx: Db, _legacyDialect: unknown, input: JournalInput): Promise<number> {
  return post(tx, input);
}
