/** Audits across modules (no table of its own): the ledger's chain mirror against real balances. */
export type { ChainAuditDeps } from './deps.js';
export { auditChainBalances, type ChainAuditLine, type ChainAuditReport } from './chain-audit.js';
