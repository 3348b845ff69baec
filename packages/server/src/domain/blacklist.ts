/** Moved to modules/withdrawals: re-exported here for importers not yet rewritten. */
export { addToBlacklist, listBlacklist, normaliseAddress, removeFromBlacklist, type BlacklistEntry } from '../modules/withdrawals/index.js';
