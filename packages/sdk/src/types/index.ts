export * from './statuses.js';
export * from './common.js';
export * from './users.js';
export * from './coins.js';
export * from './accounts.js';
export * from './billing.js';
export * from './transfers.js';
export * from './callbacks.js';
