/** Audits across modules (no table of its own): the ledger's chain mirror against real balances. */
export { auditChainBalances, type ChainAuditLine, type ChainAuditReport } from './chain-audit.js';
