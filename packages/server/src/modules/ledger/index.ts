/** The ledger module: accounts, balanced journals and their entries, the ledger audit and operator adjustments. */
export {
  accountKey,
  collectionAccount,
  ensureAccount,
  feeAccount,
  lockAccounts,
  mayGoNegative,
  readBalance,
  userAccount,
  type AccountRef,
  type Balance,
} from './accounts.js';
export type { AdjustmentDeps, LedgerReadDeps } from './deps.js';
export { adjustBalance, adjustmentReasonLengthMax, listAdjustments, type AdjustmentEntry, type AdjustmentInput, type AdjustmentResult, type AdjustmentTarget } from './adjustments.js';
export { auditLedger, type AuditFinding, type AuditReport } from './audit.js';
export { userBalances } from './balances.js';
export { InsufficientFundsError } from './errors.js';
export { postJournal, type JournalInput, type Posting } from './journal.js';
