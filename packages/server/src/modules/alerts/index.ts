/** The alerts module: conditions raised for operators, one open alert per key. */
export { listAlerts, raiseAlert, resolveAlert, resolveAlertById } from './alerts.js';
export { listOpenAlertKeys } from './repository.js';
export { countOpenAlerts } from './repository.js';
