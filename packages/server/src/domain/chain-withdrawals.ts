/** Moved to modules/withdrawals and modules/chain-sends: re-exported here for importers not yet rewritten. */
export { hotWalletLowKey, payWaitingWithdrawals, sentAmount, withdrawalOutcomeHandler } from '../modules/withdrawals/index.js';
export { AlertThrottle, signerFailingKey, storeSigned } from '../modules/chain-sends/index.js';
