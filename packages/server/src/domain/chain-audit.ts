/** Moved to modules/audit: re-exported here for importers not yet rewritten. */
export { auditChainBalances, type ChainAuditReport } from '../modules/audit/index.js';
