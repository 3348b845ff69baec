/**
 * Bounds of withdrawals, chain sends, sweeps and the chain audit (units last in every name).
 */

/** One page of the operators' review list: keeps a listing a bounded read. */
export const reviewPageSizeMax = 500;
/** Longest withdrawal address (memo excluded) on a chain without a configured pattern. */
export const withdrawAddressLengthMax = 128;
/** Longest memo/tag after "_" on memo chains. */
export const withdrawMemoLengthMax = 64;
/** Longest address (with memo) accepted on the blacklist. */
export const blacklistAddressLengthMax = 200;
/** Longest reason an operator may give a blacklisted address. */
export const blacklistReasonLengthMax = 500;

/** Withdrawals the broadcaster considers per tick: one tick stays short; more wait for the next. */
export const withdrawalsPerTickMax = 20;
/** An unchanged alert is raised again (count + 1) at most this often per process: no alert storm per tick. */
export const alertRepeatMs = 60_000;

/** Nonce slots followed per tick; more waits for the next tick (which runs at once). */
export const slotsPerTickMax = 100;
/** Longest last_error kept on a stored transaction (and on a sweep). */
export const chainTxErrorLengthMax = 500;
/** Rows of an operator listing of stored transactions or sweeps when no limit is asked. */
export const chainListPageSizeDefault = 100;
/** Most rows of one operator listing of stored transactions or sweeps. */
export const chainListPageSizeMax = 1_000;

/** New sweeps started per tick: signing is slow, a tick stays short. */
export const sweepsPerTickMax = 20;
/** Deposit addresses with unswept credited deposits looked at per tick. */
export const sweepCandidatesPerTickMax = 200;
/** Failed transactions (reverted, dropped) after which a sweep stops and alerts. */
export const sweepAttemptsMax = 3;

/** Balance reads in flight at once against the node during the chain audit. */
export const auditBalanceReadsInFlightMax = 32;
/** The chain audit reports progress only for chains with more addresses than this. */
export const auditProgressAddressCountMin = 1_000;
/** The chain audit reports progress once per this many batches of balance reads. */
export const auditProgressBatchCount = 100;

/** A chain worker's lease lasts this many poll intervals: a crashed leader is replaced quickly. */
export const chainLeasePollIntervalCount = 5;
/** Shortest chain worker lease, for chains polled very often. */
export const chainLeaseTtlMinMs = 2_000;
/** The KYT loop polls for work at least this often. */
export const kytPollIntervalMs = 1_000;
