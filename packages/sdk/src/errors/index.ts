export { ErrorCode, errorEntries, errorMessages, errorRegistry, isKnownErrorCode, type ErrorCodeName, type ErrorEntry, type RegistryEntry } from './codes.js';
export { WaasBaseError } from './base.js';
export { WaasError, WaasTransportError, WaasTimeoutError } from './api.js';
export { EnvelopeError, KeyParseError, type EnvelopeErrorReason } from './envelope.js';
