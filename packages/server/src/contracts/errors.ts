/**
 * Error contracts of both APIs as data: the merchant API's registry (owned by the SDK, which
 * the server depends on) and the operator API's (contracts/operator-errors.ts).
 */
export { ErrorCode, errorEntries, errorMessages, errorRegistry, isKnownErrorCode, type ErrorCodeName, type ErrorEntry, type RegistryEntry } from '@openwaas/sdk';
export { operatorErrorRegistry, operatorErrorStatus, type OperatorErrorCode, type OperatorErrorEntry } from './operator-errors.js';
