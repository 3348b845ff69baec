/** Moved to modules/withdrawals: re-exported here for importers not yet rewritten. */
export {
  approveWithdrawal,
  cancelWithdrawal,
  findWithdrawal,
  listWithdrawalsForReview,
  rejectWithdrawal,
  requestWithdrawal,
  WithdrawalStateError,
  type Auditor,
  type WithdrawalRequestInput,
} from '../modules/withdrawals/index.js';
