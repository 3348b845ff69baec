/**
 * The deposits module: on-chain deposits (deposits), the scanners' cursors and block hashes
 * (chain_cursors, chain_blocks) and wallet refills (treasury_receipts). Its SQL is in
 * repository.ts; everyone else uses what this file exports.
 */
export { loadChainCoins, coinOfTransfer, type ChainCoins } from './chain-coins.js';
export { chainStatuses, type ChainStatus } from './chain-status.js';
export {
  belowThreshold,
  checkWalletLevels,
  hasWalletThresholds,
  readWalletStatuses,
  walletLowKey,
  walletLowKind,
  type WalletLevel,
  type WalletRole,
  type WalletStatus,
} from './wallet-levels.js';
export type { ChainStatusDeps, WalletCheckDeps, DepositReadDeps, DepositReviewContext, ScanContext, ScanStorageDeps, ScanWriteDeps, SettleContext } from './deps.js';
export { CursorMoved } from './errors.js';
export { belowMinimumReason, reorgAfterCreditKey, reorgFailedReason } from './reasons.js';
export { countBreakerWindow, findDeposit, findDepositOfTransaction, listAwaitingKytDepositIds, pageBreakerWindow } from './lookups.js';
export type { BreakerWindow, DepositRecord, TreasuryReceiptRecord } from './repository.js';
export {
  applyDepositVerdict,
  heldDepositStatuses,
  heldDepositView,
  listHeldDeposits,
  rejectDeposit,
  releaseDeposit,
  type HeldDepositView,
} from './review.js';
export {
  candidateKey,
  depositsAbove,
  depositsInBlocks,
  orphanDeposits,
  recordDeposits,
  updateConfirmations,
  type DepositCandidate,
  type RecordOutcome,
} from './scanned-deposits.js';
export {
  clearScannerFault,
  raiseScannerStalled,
  raiseScannerUntraced,
  readScannerFault,
  recordScannerFault,
  scannerStalledKey,
  scannerUntracedKey,
  type ScannerFault,
} from './scanner-health.js';
export {
  readOrCreateCursor,
  readScanCursor,
  rewindCursor,
  storedBlockHash,
  storedBlockHashesDown,
  undoBlocksAbove,
  writeScannedBatch,
  type BlockHeaderRef,
} from './scan-storage.js';
export { settleDeposit, settleDueDeposits } from './settle.js';
export {
  receiptCandidateKey,
  receiptsAbove,
  receiptsInBlocks,
  recordTreasuryReceipts,
  reverseTreasuryReceipts,
  type ReceiptCandidate,
} from './treasury-receipts.js';
export { reorgTooDeepKey, scannerLeaseName, scannerLeaseTtlMs, scanStep, type ScanStepResult } from './scan-step.js';
export { insertDeposit, depositsAfter, depositsByIds, type SweepCandidateRow, listSweepCandidates, markDepositsSwept, listConfirmingDepositAmounts, findScannedHeight } from './repository.js';
export { countHeldDeposits, creditedDepositTotals } from './daily-totals.js';
export { depositDetail, importDepositRows, listDepositPage, type DepositDetail, type DepositListItem } from './listing.js';
export type { NewDepositRecord } from './repository.js';
