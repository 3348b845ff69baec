export { depositNotificationPayload, depositRecord, minerFeeRecord, withdrawNotificationPayload, withdrawRecord } from './views.js';
export { decodeListCursor, encodeListCursor, pageOf, withStoredAddressForms, type ListPosition, type RecordListFilter, type RecordPage } from './cursor.js';
