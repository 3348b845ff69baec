/** The operator audit trail: every operator action, hash-chained; append, verify, list, export. */
export { recordOperatorEvent } from './append.js';
export { authFailureEvent, forbiddenEvent, policyActor } from './auth-events.js';
export { auditOutcomes, canonicalJson, entryHash, genesisHash, type AuditEntryView, type AuditOutcome, type OperatorEvent } from './entry.js';
export { exportOperatorAudit, listOperatorAudit, operatorAuditPageDefault, type AuditEntryFilter } from './listing.js';
export { verifyOperatorAudit, type ChainBreak, type OperatorAuditVerdict } from './verify.js';
