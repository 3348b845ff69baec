export { depositNotificationPayload, depositRecord, minerFeeRecord, withdrawNotificationPayload, withdrawRecord } from './views.js';
export { decodeListCursor, encodeListCursor, pageOf, type ListPosition, type RecordListFilter, type RecordPage } from './cursor.js';
