/**
 * The notifications module: the outbox (notifications) — written with the status change it
 * reports, delivered by workers/notifier.ts through the operations of delivery.ts, listed and
 * resent by operators — and the other call the service makes to a merchant, the second
 * confirmation of a withdrawal or transfer (confirmation.ts). Its SQL is in repository.ts.
 */
export {
  countNotifications,
  getNotification,
  getNotificationDetail,
  listNotificationAttempts,
  listNotifications,
  notificationsPerDay,
  notificationStates,
  resendAllFailed,
  resendNotification,
  type NotificationAttemptView,
  type NotificationDayCounts,
  type NotificationDetailView,
  type NotificationFilter,
  type NotificationState,
  type NotificationView,
} from './admin.js';
export {
  boundedError,
  findDeliveryCandidates,
  findRecipient,
  leaseDueNotifications,
  logDeliveryAttempt,
  recordDelivery,
  recordDeliveryAttempt,
  releaseDelivery,
  utf8Prefix,
  type AttemptRecord,
  type DeliveryOutcome,
  type Recipient,
} from './delivery.js';
export type { ConfirmationDeps, NotificationAdminContext } from './deps.js';
export { confirmWithMerchant, type ConfirmationFailure, type ConfirmationFields } from './confirmation.js';
export { enqueueNotification } from './outbox.js';
export { isAcknowledgement } from './acknowledgement.js';
export { applyCallbackProfile, callbackIntegerFields } from './callback-profile.js';
export { notificationsOfRecord } from './record-history.js';
export { outboxDepth, type OutboxDepth } from './outbox-depth.js';
