/** Moved to modules/withdrawals: re-exported here for importers not yet rewritten. */
export {
  approveWithdrawal,
  cancelWithdrawal,
  findWithdrawal,
  isCancellable,
  isValidWithdrawAddress,
  listWithdrawalsForReview,
  rejectWithdrawal,
  requestWithdrawal,
  unlockPostings,
  WithdrawalStateError,
  type Auditor,
  type ReviewItem,
  type WithdrawalRequestInput,
} from '../modules/withdrawals/index.js';
