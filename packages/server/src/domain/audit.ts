export { auditLedger, type AuditFinding, type AuditReport } from '../modules/ledger/index.js';
