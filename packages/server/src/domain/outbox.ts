export { enqueueNotification } from '../modules/notifications/index.js';
