/**
 * Withdrawals: requests (#8), their risk and policy decision, the review (approvals by distinct
 * reviewers, rejection, cancel) with every decision recorded, the KYT hold, payment on chain
 * through chain sends, and the blacklist of destinations. Owns the withdrawals, blacklist and
 * withdrawal_approvals tables.
 */
export { isValidWithdrawAddress } from './address-rules.js';
export { addToBlacklist, listBlacklist, removeFromBlacklist, type BlacklistEntry } from './blacklist.js';
export { hotWalletLowKey, payWaitingWithdrawals, withdrawalOutcomeHandler } from './chain-payment.js';
export type {
  WithdrawalApprovalDeps,
  WithdrawalDecisionDeps,
  WithdrawalPaymentDeps,
  WithdrawalReadDeps,
  WithdrawalReleaseDeps,
  WithdrawalRequestDeps,
} from './deps.js';
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
export { requestWithdrawal, type WithdrawalRequestInput } from './request.js';
export {
  approveWithdrawal,
  cancelWithdrawal,
  findWithdrawal,
  listWithdrawalsForReview,
  rejectWithdrawal,
  reviewStateOf,
  type Auditor,
  type ReviewDecision,
  type ReviewItem,
  type ReviewState,
} from './review.js';
export { markWithdrawalSettledInternally, withdrawalsAfter, withdrawalsByRequestIds, type WithdrawalRecord } from './repository.js';
export { listAwaitingKytWithdrawalIds } from './repository.js';
export { countHeldWithdrawals, countOpenWithdrawals, countWithdrawalsInReview, openWithdrawalStatuses, paidWithdrawalTotals } from './daily-totals.js';
export { importWithdrawalRows, listWithdrawalPage, type WithdrawalListFilter, type WithdrawalListItem } from './listing.js';
export type { NewWithdrawalRecord } from './repository.js';
