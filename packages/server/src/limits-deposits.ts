/**
 * Bounds of the deposits, addresses, notifications and KYT modules (folded into src/limits.ts
 * at merge). Each name ends with its unit.
 */

/** Deposits settled per scanner tick at most; the rest wait for the next (immediate) tick. */
export const settleBatchMax = 200;
/** Rows looked up per query when matching a batch's transfers (deposits, address owners): SQLite caps bound parameters. */
export const lookupChunkMax = 500;
/** Block hashes kept beyond reorgDepth: a reorg a little deeper than configured is still undone. */
export const extraBlocksKeptCount = 16;
/** chain_blocks rows written per INSERT (SQLite caps bound parameters). */
export const blockRowsPerInsertMax = 1_000;
/** A scanner lease lasts this many poll intervals: a crashed leader is replaced quickly. */
export const scannerLeasePollIntervalsCount = 5;
/** Shortest scanner lease, so a very fast poll interval does not make leases flap. */
export const scannerLeaseTtlMinMs = 2_000;
/** Longest node error kept on a scanner's cursor row (shown by `chain status`). */
export const scannerErrorLengthMax = 300;
/** Untraced blocks named in a `scanner-untraced` alert; the rest are summarised. */
export const untracedBlocksShownMax = 5;

/** A backfill progress line at most this often. */
export const backfillProgressEveryMs = 1_000;
/** Scanner steps in a row that fail (or move nothing) before a backfill gives up. */
export const backfillAttemptsMax = 5;
/** Wait after a backfill's first failed step (then doubled), at least the chain's poll interval. */
export const backfillBackoffMs = 500;
/** Longest wait between two backfill tries. */
export const backfillBackoffMaxMs = 10_000;

/** `sandbox deposit` waits at most this many seconds by default. */
export const sandboxDepositTimeoutDefaultSeconds = 60;
/** Longest `sandbox deposit --timeout` accepted. */
export const sandboxDepositTimeoutMaxSeconds = 3_600;
/** `sandbox deposit` waits this long for its transaction's receipt. */
export const sandboxReceiptTimeoutMs = 30_000;
/** How often `sandbox deposit --wait` looks at the deposit's status. */
export const sandboxDepositPollMs = 250;

/** Attempts at allocating an address when concurrent callers collide on a unique index. */
export const allocateAttemptsMax = 8;
/** chain_addresses rows read per query while a watch set catches up (the first refresh of a large service). */
export const watchSetRefreshPageMax = 10_000;

/** Largest merchant confirmation reply read; a real one is a few hundred bytes. */
export const confirmReplyBytesMax = 64 * 1024;
/** Parsed merchant public keys cached, by PEM; bounded so a key rotation storm cannot grow it forever. */
export const merchantKeyCacheSizeMax = 1_000;

/** Largest answer read from the KYT screening service; a real one is a few hundred bytes. */
export const kytAnswerBytesMax = 64 * 1024;
/** Longest KYT provider reason kept (stored with the record and shown to operators). */
export const kytReasonLengthMax = 500;
/** Deposits read per query while the circuit breaker sums a window. */
export const breakerPageMax = 1_000;
/** Bound on one page of the KYT held-records list. */
export const heldPageSizeMax = 500;
/** Longest reason an operator may give when rejecting a held record. */
export const reviewReasonLengthMax = 500;
/** Longest reason history kept on a record; older notes are dropped first. */
export const reasonHistoryLengthMax = 2_000;
/** A crashed KYT leader is replaced after this long; renewed before every screening. */
export const kytLeaseTtlMs = 60_000;
/** Waiting records looked at per KYT tick and side (oldest first); those in back-off are skipped. */
export const kytCandidatesMax = 1_000;
/** Records screened per KYT tick and side; more → the next tick runs at once. */
export const kytBatchMax = 20;
/** Cap on the exponent of the KYT retry back-off (the delay is capped by retryMaxMs anyway). */
export const kytBackoffDoublingsMax = 30;
