/** Moved to modules/chain-sends: re-exported here for importers not yet rewritten. */
export { chainAccount, suspenseAccount, treasuryAccount } from '../modules/chain-sends/index.js';
