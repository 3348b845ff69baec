/**
 * The one registry of WaaS v2 result codes (API.md §5), shared by the SDK and the server:
 * each entry carries the code, its default message, the HTTP status it travels with, what it
 * means and whether it is retired. Codes are stable strings on the wire; a retired code stays
 * here (so it is never reused for another meaning) but is never answered again.
 */

/**
 * The shape every error registry shares (this one, and the server's operator API registry):
 * code, default message, HTTP status, meaning, retired.
 */
export interface RegistryEntry {
  /** The code as sent. */
  readonly code: string;
  /** Default English message. */
  readonly message: string;
  /** HTTP status of the answer carrying the code. */
  readonly httpStatus: number;
  /** When the code is answered, for the docs and the SDK's users. */
  readonly meaning: string;
  /** True once the code is no longer answered; it is kept so that it is never reused. */
  readonly retired: boolean;
}

/**
 * One result code of the merchant API: `code` is a decimal string; `httpStatus` is 200 for
 * every answer that carries a code, sealed or plain, since existing clients read no code from
 * any other status (API.md §1). A code only ever answered before the merchant is known cannot
 * be sealed and goes as plain JSON, with HTTP 200 all the same.
 */
export interface ErrorEntry extends RegistryEntry {
  /** For a code normally sealed, the status when it is answered as plain JSON instead: 200 when the request reached us (no merchant yet, a body that is not a form), 500 for a failure before the request was read. */
  readonly plainHttpStatus?: number;
}

/** Every code, by the name the code is used under in both packages. */
export const errorRegistry = {
  Success: { code: '0', message: 'success', httpStatus: 200, meaning: 'Success.', retired: false },
  SystemError: {
    code: '100001',
    message: 'system error',
    httpStatus: 200,
    plainHttpStatus: 500,
    meaning: 'Unexpected failure inside the wallet service (logged there; no details are sent).',
    retired: false,
  },
  InvalidParameter: {
    code: '100004',
    message: 'request parameter is not valid',
    httpStatus: 200,
    plainHttpStatus: 200,
    meaning: 'A request parameter is missing or not valid (the message names the field); plain when the body is not a form or JSON.',
    retired: false,
  },
  DecryptFailed: {
    code: '100005',
    message: 'signature verification failed',
    httpStatus: 200,
    meaning: "The `data` envelope could not be decrypted with the merchant's public key (answered plain).",
    retired: false,
  },
  IllegalIp: { code: '100007', message: 'illegal IP', httpStatus: 200, meaning: "The caller's IP address is not on the merchant's allowlist.", retired: false },
  InvalidAppId: {
    code: '100015',
    message: 'merchant id (app_id) is invalid',
    httpStatus: 200,
    meaning: 'Unknown or malformed `app_id` (answered plain: no merchant to seal for).',
    retired: false,
  },
  MerchantExpired: { code: '100016', message: 'merchant information expired', httpStatus: 200, meaning: 'The merchant is disabled.', retired: false },
  UserFrozen: { code: '110004', message: 'user is frozen and cannot withdraw', httpStatus: 200, meaning: 'The user is frozen and cannot withdraw.', retired: false },
  MobileRegistered: { code: '110023', message: 'mobile number already registered', httpStatus: 200, meaning: 'The mobile number is already registered.', retired: false },
  AddressAtRisk: { code: '110037', message: 'withdrawal address is at risk', httpStatus: 200, meaning: 'The withdrawal address is flagged as risky (blacklist).', retired: false },
  InvalidAddress: {
    code: '110055',
    message: 'withdrawal address is not valid',
    httpStatus: 200,
    meaning: "The address is not valid for the coin's chain, or not one of ours.",
    retired: false,
  },
  UserNotFound: { code: '110065', message: 'user does not exist', httpStatus: 200, meaning: 'The user does not exist.', retired: false },
  AmountBelowMin: { code: '110078', message: 'amount below the minimum', httpStatus: 200, meaning: "Amount below the coin's minimum withdrawal.", retired: false },
  AmountAboveMax: { code: '110087', message: 'amount above the maximum', httpStatus: 200, meaning: "Amount above the coin's maximum withdrawal.", retired: false },
  DuplicateRequest: {
    code: '110088',
    message: 'duplicate request',
    httpStatus: 200,
    meaning: "The `request_id` was already used by this merchant (`data` carries the existing withdrawal's id and status, or the transfer's receipt).",
    retired: false,
  },
  InvalidMobile: { code: '110089', message: 'mobile number is not valid', httpStatus: 200, meaning: 'The mobile number is not valid.', retired: false },
  RegistrationFailed: {
    code: '110101',
    message: 'user registration failed',
    httpStatus: 200,
    meaning: "User registration failed (e.g. the merchant's user limit is reached, or the email is taken).",
    retired: false,
  },
  TooPrecise: { code: '110161', message: 'amount has more decimals than the coin supports', httpStatus: 200, meaning: 'The amount has more decimals than the coin supports.', retired: false },
  CurrencyNotSupported: { code: '120202', message: 'currency not supported', httpStatus: 200, meaning: 'The currency is not supported (or not enabled for this merchant).', retired: false },
  ConfirmationFailed: {
    code: '120206',
    message: 'withdrawal second confirmation failed',
    httpStatus: 200,
    meaning: 'The merchant did not confirm the withdrawal or transfer (second confirmation); no funds moved.',
    retired: false,
  },
  InsufficientBalance: { code: '120402', message: 'insufficient balance', httpStatus: 200, meaning: 'Insufficient balance.', retired: false },
  InsufficientFeeBalance: { code: '120403', message: 'insufficient balance for the withdrawal fee', httpStatus: 200, meaning: 'Insufficient balance to pay the withdrawal fee.', retired: false },
  AmountNotAboveFee: { code: '120404', message: 'amount too small: not more than the fee', httpStatus: 200, meaning: 'The amount is not more than the fee.', retired: false },
  UserAtRisk: { code: '900006', message: 'user is at risk; withdrawal prohibited', httpStatus: 200, meaning: 'The user is at risk; withdrawal prohibited.', retired: false },
  TransferToSelf: { code: '3040006', message: 'cannot transfer to oneself', httpStatus: 200, meaning: 'A merchant cannot transfer to itself.', retired: false },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCodeName = keyof typeof errorRegistry;

/** The code of every registry entry, by name: `ErrorCode.DuplicateRequest` is "110088". */
export const ErrorCode = Object.fromEntries(Object.entries(errorRegistry).map(([name, e]) => [name, e.code])) as {
  readonly [N in ErrorCodeName]: (typeof errorRegistry)[N]['code'];
};

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every registry entry, by code. */
export const errorEntries: Readonly<Record<ErrorCode, ErrorEntry & { readonly name: ErrorCodeName }>> = Object.fromEntries(
  Object.entries(errorRegistry).map(([name, e]) => [e.code, { ...e, name }]),
) as Record<ErrorCode, ErrorEntry & { readonly name: ErrorCodeName }>;

/** Default English message of every code. */
export const errorMessages: Readonly<Record<ErrorCode, string>> = Object.fromEntries(Object.values(errorRegistry).map((e) => [e.code, e.message])) as Record<ErrorCode, string>;

const known = new Set<string>(Object.values(ErrorCode));

/** True when `code` is one of the registry's codes. */
export function isKnownErrorCode(code: string): code is ErrorCode {
  return known.has(code);
}
