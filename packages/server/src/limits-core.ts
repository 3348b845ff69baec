/**
 * Bounds of the ledger, merchants, coins, transfers, alerts, leases and envelopes modules and of
 * the operator actions. Each name ends with its unit.
 */

/** Longest decimal amount string accepted: far beyond any 256-bit amount, short enough to refuse abuse. */
export const amountLengthMax = 100;

/** Entries the ledger audit reads per query, so a large ledger is audited in bounded memory. */
export const auditEntriesBatchMax = 5_000;

/** A balance adjustment's reason is kept in the journal memo; this long at most. */
export const adjustmentReasonLengthMax = 500;
/** Adjustments an operator listing shows when it names no limit. */
export const adjustmentsPageDefaultMax = 100;
/** Most adjustments one operator listing returns. */
export const adjustmentsPageMax = 1_000;

/** Users a merchant may register when its settings name no cap. */
export const merchantUsersDefaultMax = 50_000;
/** "Virtual account" strings (email registration) are up to 100 characters (API.md #2). */
export const emailLengthMax = 100;

/** Confirmations a coin waits for when its settings name none. */
export const coinConfirmationsDefaultCount = 12;

/** Longest transfer remark (API.md #15). */
export const transferRemarkLengthMax = 32;

/** Alerts an operator listing shows when it names no limit. */
export const alertsPageDefaultMax = 100;
/** Most alerts one operator listing returns. */
export const alertsPageMax = 1_000;

/** Slack for clocks of API processes that disagree a little; added to every seen-envelope row's lifetime. */
export const replayClockMarginMs = 60_000;
/** Each process prunes expired envelope rows at most this often while the last batch came back short. */
export const replayPruneIntervalMs = 10_000;
/** Envelope rows deleted per prune statement: the cost one API call may pay. */
export const replayPruneBatchMax = 1_000;

/** Longest merchant name an operator may set. */
export const merchantNameLengthMax = 100;
/** Longest notify/confirm URL an operator may set. */
export const urlLengthMax = 2_048;
/** Most entries in a merchant's IP allowlist (each is checked on every API call). */
export const ipAllowlistEntriesMax = 256;
/** Highest per-merchant user cap an operator may set. */
export const userLimitMax = 100_000_000;
/** Most decimals a coin may have (beyond any real token; keeps 10^decimals small). */
export const coinDecimalsMax = 36;
/** Most confirmations a coin may wait for (about a day and a half on a 12 s chain). */
export const coinConfirmationsMax = 10_000;
/** Longest app_id an operator may choose (random ones are 32 hex characters); the transfer API's `to` takes the same. */
export const merchantAppIdLengthMax = 64;
