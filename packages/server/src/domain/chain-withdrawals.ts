/** Moved to modules/withdrawals and modules/chain-sends: re-exported here for importers not yet rewritten. */
export { hotWalletLowKey, payWaitingWithdrawals } from '../modules/withdrawals/index.js';
export { signerFailingKey } from '../modules/chain-sends/index.js';
