export { depositNotificationPayload, depositRecord, minerFeeRecord, primeEmails, withdrawNotificationPayload, withdrawRecord } from './views.js';
export { decodeListCursor, encodeListCursor, pageOf, withStoredAddressForms, type ListPosition, type RecordListFilter, type RecordPage } from './cursor.js';
