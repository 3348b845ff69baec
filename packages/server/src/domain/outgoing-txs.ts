/** Moved to modules/chain-sends: re-exported here for importers not yet rewritten. */
export { chainTxView, listChainTxs } from '../modules/chain-sends/index.js';
