/** Moved to modules/withdrawals: re-exported here for importers not yet rewritten. */
export { applyWithdrawalVerdict, heldWithdrawalView, listHeldWithdrawals, rejectHeldWithdrawal, releaseWithdrawal, type HeldWithdrawalView } from '../../modules/withdrawals/index.js';
