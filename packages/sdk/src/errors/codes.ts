/**
 * The one registry of WaaS v2 result codes (API.md §5), shared by the SDK and the server.
 * Codes are stable strings on the wire; a retired code is never reused for another meaning.
 */
export const ErrorCode = {
  /** Success. */
  Success: '0',
  /** Unexpected failure inside the wallet service. */
  SystemError: '100001',
  /** A request parameter is missing or not valid (the message names the field). */
  InvalidParameter: '100004',
  /** The `data` envelope could not be decrypted with the merchant's public key. */
  DecryptFailed: '100005',
  /** The caller's IP address is not on the merchant's allowlist. */
  IllegalIp: '100007',
  /** Unknown `app_id`. */
  InvalidAppId: '100015',
  /** The merchant's information has expired (disabled merchant). */
  MerchantExpired: '100016',
  /** The user is frozen and cannot withdraw. */
  UserFrozen: '110004',
  /** The mobile number is already registered. */
  MobileRegistered: '110023',
  /** The withdrawal address is flagged as risky (blacklist). */
  AddressAtRisk: '110037',
  /** The address is not valid for the coin's chain, or not one of ours. */
  InvalidAddress: '110055',
  /** The user does not exist. */
  UserNotFound: '110065',
  /** Amount below the coin's minimum withdrawal. */
  AmountBelowMin: '110078',
  /** Amount above the coin's maximum withdrawal. */
  AmountAboveMax: '110087',
  /** The `request_id` was already used by this merchant. */
  DuplicateRequest: '110088',
  /** The mobile number is not valid. */
  InvalidMobile: '110089',
  /** User registration failed (e.g. the merchant's user limit is reached). */
  RegistrationFailed: '110101',
  /** The amount has more decimals than the coin supports. */
  TooPrecise: '110161',
  /** The currency is not supported (or not enabled for this merchant). */
  CurrencyNotSupported: '120202',
  /** The merchant did not confirm the withdrawal or transfer (second confirmation). */
  ConfirmationFailed: '120206',
  /** Insufficient balance. */
  InsufficientBalance: '120402',
  /** Insufficient balance to pay the withdrawal fee. */
  InsufficientFeeBalance: '120403',
  /** The amount is not more than the fee. */
  AmountNotAboveFee: '120404',
  /** The user is at risk; withdrawal prohibited. */
  UserAtRisk: '900006',
  /** A merchant cannot transfer to itself. */
  TransferToSelf: '3040006',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export type ErrorCodeName = keyof typeof ErrorCode;

/** Default English message of every code. */
export const errorMessages: Readonly<Record<ErrorCode, string>> = {
  '0': 'success',
  '100001': 'system error',
  '100004': 'request parameter is not valid',
  '100005': 'signature verification failed',
  '100007': 'illegal IP',
  '100015': 'merchant id (app_id) is invalid',
  '100016': 'merchant information expired',
  '110004': 'user is frozen and cannot withdraw',
  '110023': 'mobile number already registered',
  '110037': 'withdrawal address is at risk',
  '110055': 'withdrawal address is not valid',
  '110065': 'user does not exist',
  '110078': 'amount below the minimum',
  '110087': 'amount above the maximum',
  '110088': 'duplicate request',
  '110089': 'mobile number is not valid',
  '110101': 'user registration failed',
  '110161': 'amount has more decimals than the coin supports',
  '120202': 'currency not supported',
  '120206': 'withdrawal second confirmation failed',
  '120402': 'insufficient balance',
  '120403': 'insufficient balance for the withdrawal fee',
  '120404': 'amount too small: not more than the fee',
  '900006': 'user is at risk; withdrawal prohibited',
  '3040006': 'cannot transfer to oneself',
};

const known = new Set<string>(Object.values(ErrorCode));

/** True when `code` is one of the registry's codes. */
export function isKnownErrorCode(code: string): code is ErrorCode {
  return known.has(code);
}
