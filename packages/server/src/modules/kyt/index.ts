/**
 * The KYT module (no table of its own): screening providers, the deposit circuit breaker
 * (over the deposits module's operations) and the operator review of held records.
 */
export { BuiltinKytProvider } from './builtin-provider.js';
export { ChainedKytProvider } from './chained-provider.js';
export { checkDepositBreaker } from './circuit-breaker.js';
export { createKytProvider } from './factory.js';
export { HttpKytProvider, screeningRequestBody, verdictOfAnswer, type HttpKytProviderOptions } from './http-provider.js';
export type { KytProvider, KytSubject, KytVerdict } from './provider.js';
export type { DepositScreeningContext, HeldDecisionDeps, HeldListDeps, KytProviderDeps, WithdrawalScreeningContext, WithdrawalSubjectDeps } from './deps.js';
export { decideHeldAction, heldPageSizeMax, listHeldAction, type HeldDecision, type HeldRecords } from './review-actions.js';
export { appendReason, checkRejectReason, reviewReasonLengthMax, ReviewStateError, type ReviewSide } from './review-errors.js';
export { depositSubject, screenDeposit, screenWithdrawal, withdrawalSubject, type ScreenOptions } from './screening.js';
export { limitUnits } from './threshold.js';
