export {
  countNotifications,
  getNotification,
  listNotifications,
  notificationStates,
  resendAllFailed,
  resendNotification,
  type NotificationAdminContext,
  type NotificationFilter,
  type NotificationState,
  type NotificationView,
} from '../modules/notifications/index.js';
