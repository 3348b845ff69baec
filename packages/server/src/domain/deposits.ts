export { belowMinimumReason, reorgAfterCreditKey, reorgFailedReason } from '../modules/deposits/index.js';
