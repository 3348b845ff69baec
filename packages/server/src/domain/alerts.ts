export { listAlerts, raiseAlert, resolveAlert, resolveAlertById } from '../modules/alerts/index.js';
