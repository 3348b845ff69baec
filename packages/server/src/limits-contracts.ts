/**
 * Bounds of the merchant API's request fields and gateway and of the operator API's request
 * schemas (units last in every name). To be folded into src/limits.ts.
 */

// ---- merchant API: identifiers and fields -----------------------------------------------------

/** Longest `app_id`: the service issues 32 hex characters (the seeds' form) and the operator API accepts at most this many. */
export const appIdLengthMax = 64;

/** Longest `request_id` (and item of an `ids` list): API.md §2 says ≤ 64 characters. */
export const requestIdLengthMax = 64;

/** Longest deposit-address text looked up (#19): every address the service issues is far shorter. */
export const depositAddressLengthMax = 128;

/** Longest withdrawal destination (#8): memo chains append "_memo" to the address, so it is longer than a deposit address. */
export const withdrawAddressLengthMax = 256;

/** Longest amount text accepted (parseAmount refuses more anyway). */
export const amountLengthMax = 100;

/** Digits of a numeric id or millisecond timestamp read from text: more cannot be a safe integer. */
export const numericTextDigitsMax = 16;

/** Longest coin symbol: symbols are short tickers. */
export const symbolLengthMax = 32;

/** Longest mobile number text considered at all (the domain then checks its digits). */
export const mobileLengthMax = 32;

/** Longest country calling code text considered at all. */
export const countryLengthMax = 8;

/** Longest email or "virtual account" string of #2/#3 (API.md §2: ≤ 100 characters). */
export const emailLengthMax = 100;

/** Longest `ids_type` value read (the two valid values are shorter). */
export const idsTypeLengthMax = 16;

/** Records per page of every sync list (API.md §2: 100 at most). */
export const pageSizeMax = 100;

/** Ids per by-id list request (API.md §2: ≤ 100). */
export const idsMax = 100;

// ---- merchant API: gateway --------------------------------------------------------------------

/** Merchants whose parsed key / allowlist are cached: a bound on memory. */
export const gatewayCacheEntriesMax = 10_000;

/** Characters of an unknown caller's `app_id` written to the access log. */
export const loggedAppIdLengthMax = appIdLengthMax;

// ---- operator API -----------------------------------------------------------------------------

/** Rows per page of the operator lists (alerts, chain transactions, sweeps, notifications, reviews). */
export const operatorPageSizeMax = 1_000;

/** Longest coin display name. */
export const coinNameLengthMax = 100;

/** Longest token contract address text of a coin. */
export const contractAddressLengthMax = 128;

/** Longest icon / explorer URL of a coin. */
export const coinUrlLengthMax = 2_048;

/** Longest operator name recorded with a decision or adjustment (`by`). */
export const operatorNameLengthMax = 100;

/** Longest reason given when rejecting a withdrawal (the KYT review reason has the same bound). */
export const rejectReasonLengthMax = 500;

/**
 * Held records per side and page of GET /kyt; the same value as the KYT module's
 * heldPageSizeMax (a test keeps the two equal until they are one bound).
 */
export const heldPageSizeMax = 500;

/** Longest reason of a KYT decision; the same value as the KYT module's reviewReasonLengthMax (a test keeps them equal). */
export const heldReasonLengthMax = 500;
