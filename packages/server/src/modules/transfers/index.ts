/** The transfers module: merchant-to-merchant transfers (#15–#17) and ledger-only settlement of withdrawals to our own addresses. */
export {
  findAllianceTarget,
  internalTxid,
  receivingAccount,
  settleInternalWithdrawal,
  type AllianceTarget,
  type InternalSettlementInput,
} from './internal-settlement.js';
export type { TransferRequestDeps } from './deps.js';
export { requestTransfer, transferRemarkLengthMax, type TransferRequestInput } from './request-transfer.js';
export { listTransfersAfter, listTransfersByIds, type TransferRow } from './transfer-lists.js';
export type { TransferRecord } from './repository.js';
