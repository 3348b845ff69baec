/**
 * Chain sends: the stored outgoing transactions (chain_txs) and the nonces they take
 * (chain_nonces). A payment's transaction is signed and stored with the payment's record, then
 * broadcast and followed to its outcome (stored-txs.ts).
 */
export { chainAccount, suspenseAccount, treasuryAccount } from './accounts.js';
export { countTxsNotFinalAt, listUnminedTxs, maxNativeSpend } from './in-flight.js';
export { chainTxView, listChainTxs } from './listing.js';
export { AlertThrottle, signerFailingKey, storeSigned } from './signing.js';
export {
  prepareNonce,
  RecordClaimLostError,
  sendStoredTx,
  storeSignedTx,
  trackStoredTxs,
  type OutcomeHandler,
  type OutcomeHandlers,
  type OutgoingDraft,
  type SignerRole,
  type TxOutcome,
} from './stored-txs.js';
export { countChainTxsInFlight } from './repository.js';
