import type { Tx } from '../store/tx.js';
import { settleInternalWithdrawal as settle, type InternalSettlementInput } from '../modules/transfers/index.js';

export { collectionAccount, feeAccount, userAccount } from '../modules/ledger/index.js';
export { findAllianceTarget, internalTxid, receivingAccount, type AllianceTarget } from '../modules/transfers/index.js';

// Compatibility for callers not yet moved to modules/transfers: the old signature took the
// dialect to decide row locking, which the store now does; it is accepted and ignored.
export function settleInternalWithdrawal(tx: Tx, _legacyDialect: unknown, input: InternalSettlementInput) {
  return settle(tx, input);
}
