/**
 * Chain sends: the stored outgoing transactions (chain_txs) and the sequences they take
 * (chain_sequences). A payment is signed by the chain's payer and stored with the payment's
 * record, then sent and followed to its outcome (stored-txs.ts).
 */
export { chainAccount, suspenseAccount, treasuryAccount } from './accounts.js';
export { countTxsNotFinalAt, listUnminedTxs, maxNativeSpend } from './in-flight.js';
export { chainTxView, listChainTxs, termsOf } from './listing.js';
export type { AlertResolveDeps, ChainSendDeps, SequenceDeps, SignDeps } from './deps.js';
export { AlertThrottle, signerFailingKey, storeSigned } from './signing.js';
export {
  prepareSequence,
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
export { countChainTxsInFlight, type ChainTxRecord } from './repository.js';
