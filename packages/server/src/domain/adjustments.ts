export { adjustBalance, adjustmentReasonLengthMax, listAdjustments, type AdjustmentEntry, type AdjustmentInput, type AdjustmentResult, type AdjustmentTarget } from '../modules/ledger/index.js';
