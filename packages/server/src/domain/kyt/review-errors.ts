export { appendReason, checkRejectReason, reviewReasonLengthMax, ReviewStateError, type ReviewSide } from '../../modules/kyt/index.js';
