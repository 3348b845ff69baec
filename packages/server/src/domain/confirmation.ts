export { confirmWithMerchant, type ConfirmationFailure, type ConfirmationFields } from '../modules/notifications/index.js';
