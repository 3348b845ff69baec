/** Moved to modules/withdrawals: re-exported here for importers not yet rewritten. */
export { addToBlacklist, listBlacklist, removeFromBlacklist } from '../modules/withdrawals/index.js';
