import type { RegistryEntry } from '@openwaas/sdk';

/**
 * The registry of operator API error codes (operator HTTP API and CLI), in the same entry shape
 * as the merchant API's (`errorRegistry` of the SDK): code, default message, HTTP status,
 * meaning, retired. An operator error answers `{error: <code>, message}` with its status. A
 * retired code stays listed so that it is never reused for another meaning.
 */

/** An operator error: `code` is the word sent in `error`; `httpStatus` that of every answer carrying it. */
export type OperatorErrorEntry = RegistryEntry;

export const operatorErrorRegistry = {
  invalid: { code: 'invalid', message: 'the request is not valid', httpStatus: 400, meaning: 'The request is malformed or a value is out of range (the message names the field).', retired: false },
  unauthorized: {
    code: 'unauthorized',
    message: 'missing, wrong, expired or revoked operator token (Authorization: Bearer <token>)',
    httpStatus: 401,
    meaning: 'Missing, wrong, expired or revoked bearer token, a disabled operator, or a refused login (the same answer whatever was wrong).',
    retired: false,
  },
  forbidden: {
    code: 'forbidden',
    message: 'your roles do not allow this',
    httpStatus: 403,
    meaning: "The operator is authenticated but none of its roles allows the route or command (the role table is in docs/operators.md).",
    retired: false,
  },
  not_found: {
    code: 'not_found',
    message: 'not found',
    httpStatus: 404,
    meaning: 'The thing named does not exist (merchant, coin, user, withdrawal, notification, alert, sweep, route…).',
    retired: false,
  },
  disabled: {
    code: 'disabled',
    message: 'the operator API is disabled',
    httpStatus: 404,
    meaning: 'The operator API is switched off (operatorApi is not set).',
    retired: false,
  },
  conflict: {
    code: 'conflict',
    message: 'the action does not fit the current state',
    httpStatus: 409,
    meaning: 'The action does not fit the current state (e.g. a withdrawal already decided, a record that exists already).',
    retired: false,
  },
  already_approved: {
    code: 'already_approved',
    message: 'this operator already approved it; another reviewer must give the next approval',
    httpStatus: 409,
    meaning: 'Four-eyes rule: the operator already approved this withdrawal, and its quorum needs approvals from distinct reviewers.',
    retired: false,
  },
  own_change_request: {
    code: 'own_change_request',
    message: 'a change request is decided by another admin than the one who asked for it',
    httpStatus: 409,
    meaning: 'Four-eyes rule for admin changes: the admin who requested a change cannot approve or reject it; a second admin decides.',
    retired: false,
  },
  insufficient_balance: {
    code: 'insufficient_balance',
    message: 'insufficient balance',
    httpStatus: 409,
    meaning: 'A debit would take the balance below zero.',
    retired: false,
  },
  too_many_attempts: {
    code: 'too_many_attempts',
    message: 'too many failed authentications from this address',
    httpStatus: 429,
    meaning: 'Too many failed authentications from this address, or failed logins of this account: wait for Retry-After seconds.',
    retired: false,
  },
  internal: {
    code: 'internal',
    message: 'internal error; see the service log',
    httpStatus: 500,
    meaning: 'Unexpected failure inside the service (logged there; no details are sent).',
    retired: false,
  },
} as const satisfies { readonly [C in string]: OperatorErrorEntry & { readonly code: C } };

/** Every operator API error code. */
export type OperatorErrorCode = keyof typeof operatorErrorRegistry;

/** HTTP status of every operator error code. */
export const operatorErrorStatus = Object.fromEntries(Object.values(operatorErrorRegistry).map((e) => [e.code, e.httpStatus])) as {
  readonly [C in OperatorErrorCode]: (typeof operatorErrorRegistry)[C]['httpStatus'];
};
