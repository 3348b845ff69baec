/**
 * Withdrawals: requests (#8), their risk decision, the audit (approve, reject, cancel), the
 * KYT hold, payment on chain through chain sends, and the blacklist of destinations.
 * Owns the withdrawals and blacklist tables.
 */
export { isValidWithdrawAddress } from './address-rules.js';
export { addToBlacklist, isBlacklisted, listBlacklist, normaliseAddress, removeFromBlacklist, type BlacklistEntry } from './blacklist.js';
export { hotWalletLowKey, payWaitingWithdrawals, withdrawalOutcomeHandler } from './chain-payment.js';
export { WithdrawalStateError } from './errors.js';
export {
  applyWithdrawalVerdict,
  heldWithdrawalStatuses,
  heldWithdrawalView,
  listHeldWithdrawals,
  rejectHeldWithdrawal,
  releaseWithdrawal,
  type HeldWithdrawalView,
} from './kyt-hold.js';
export { sentAmount, unlockPostings } from './postings.js';
export { requestWithdrawal, type WithdrawalRequestInput } from './request.js';
export {
  approveWithdrawal,
  cancelWithdrawal,
  findWithdrawal,
  isCancellable,
  listWithdrawalsForReview,
  rejectWithdrawal,
  type Auditor,
  type ReviewItem,
} from './review.js';
export { decideWithdrawalRisk, userDailyWithdrawn, utcDayStartMs, type RiskDecision } from './risk.js';
