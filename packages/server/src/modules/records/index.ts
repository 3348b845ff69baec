export { depositNotificationPayload, depositRecord, minerFeeRecord, withdrawNotificationPayload, withdrawRecord } from './views.js';
