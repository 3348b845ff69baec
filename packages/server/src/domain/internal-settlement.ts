export { collectionAccount, feeAccount, userAccount } from '../modules/ledger/index.js';
export { findAllianceTarget, internalTxid, receivingAccount, settleInternalWithdrawal, type AllianceTarget } from '../modules/transfers/index.js';
