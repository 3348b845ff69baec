/**
 * Every bound of the service in one place: lengths, batch sizes, timeouts, poll intervals,
 * retry counts, cache and queue sizes. The unit is the last word of each name (…Ms, …Max,
 * …Bytes, …LengthMax, …Count) and each says in one line why it is what it is. Change them
 * here only; `checkLimits` (run at start-up) asserts the relations between them.
 */

// ── Merchant notifications (the notifier worker) ─────────────────────────────────────────

/** The notifier looks for due notifications at least this often (wake() makes it sooner). */
export const notifyPollIntervalMs = 500;

/** Deliveries to one merchant at a time, per process: a slow endpoint ties up at most this many slots. */
export const notifyInFlightPerMerchantMax = 4;

/** Deliveries at a time, per process, across all merchants. */
export const notifyInFlightGlobalMax = 32;

/**
 * Due rows inspected per claim. Rows are ranked per merchant first, so one merchant's backlog
 * cannot push another merchant's rows out of this window.
 */
export const notifyClaimScanMax = 256;

/**
 * A claimed row is leased for the merchant timeout plus this margin (sealing, writing the
 * outcome). A crashed worker's rows are taken over once the lease runs out, so the margin is
 * also how late a crash makes their delivery; an overrun at worst delivers twice, and
 * notify_id lets the merchant drop the second.
 */
export const notifyLeaseMarginMs = 5_000;

/** Bytes of a merchant's answer read to look for `SUCCESS`; the rest is discarded. */
export const notifyResponseBytesMax = 4_096;

/** Characters of a failure kept in `last_error` (and logged). */
export const notifyErrorLengthMax = 300;

/** After a database error the loop waits this long before polling again. */
export const notifyErrorBackoffMs = 2_000;

// ── Operator actions and listings ────────────────────────────────────────────────────────

/** Rows changed per statement by bulk operator actions (resend all failed). */
export const adminBatchSizeMax = 1_000;

/** Rows returned by one operator listing. */
export const adminListLimitMax = 1_000;

// ── Operator API authentication ──────────────────────────────────────────────────────────

/** Shortest operator token accepted: a guessable token would open every operator action. */
export const operatorTokenLengthMin = 32;

/** Failures from one address answered normally (401) before back-off starts. */
export const operatorAuthFreeFailuresMax = 5;

/** The first back-off; each further failure doubles it. */
export const operatorAuthBackoffBaseMs = 1_000;

/** The longest back-off: a locked-out operator can try again within a quarter of an hour. */
export const operatorAuthBackoffMaxMs = 15 * 60_000;

/** A failure older than this no longer counts (the address starts afresh). */
export const operatorAuthForgetAfterMs = 60 * 60_000;

/** Addresses remembered at most: a bound on memory whatever the number of attackers. */
export const operatorAuthTrackedAddressesMax = 10_000;

// ── Chains: leases, scanning and backfill ────────────────────────────────────────────────

/** A chain worker's lease lasts this many of its chain's poll intervals: a slow step keeps it. */
export const chainLeasePollIntervalsCount = 5;

/** …and never less than this, however fast the chain polls. */
export const chainLeaseTtlMinMs = 2_000;

/** The lease of the scanner, broadcaster and sweeper of a chain polled every `pollIntervalMs`. */
export function chainLeaseTtlMs(pollIntervalMs: number): number {
  return Math.max(pollIntervalMs * chainLeasePollIntervalsCount, chainLeaseTtlMinMs);
}

/** `chain backfill` prints a progress line at most this often. */
export const backfillProgressEveryMs = 1_000;

/** Scanner steps in a row that fail (or move nothing) before a backfill gives up. */
export const backfillAttemptsMax = 5;

/** Wait after a backfill's first failed step (then doubled), at least the chain's poll interval. */
export const backfillBackoffMs = 500;

/** Longest wait between two backfill tries. */
export const backfillBackoffMaxMs = 10_000;

/** How long the start-up summary waits for a node's head before calling it unreachable. */
export const summaryNodeTimeoutMs = 5_000;

// ── Keys and sealing ─────────────────────────────────────────────────────────────────────

/** Shortest passphrase accepted for a new or rotated key store. */
export const keystorePassphraseLengthMin = 12;

/** Payloads of at most this many RSA segments go to one worker: splitting costs more than it saves. */
export const rsaSegmentsPerWorkerMin = 8;

/** Seal tasks waiting for a worker before seal() refuses: a bound on memory under overload. */
export const rsaQueueTasksMax = 10_000;

/** RSA worker crashes in a row (no task completed in between), per worker slot, before the pool gives up. */
export const rsaCrashStreakPerWorkerMax = 4;

// ── Command line ─────────────────────────────────────────────────────────────────────────

/** Key files given to `merchant` commands are small; anything bigger is not a key. */
export const keyFileBytesMax = 64 * 1024;

/** `audit` prints progress every this many ledger entries. */
export const auditProgressEveryEntries = 50_000;

/** Attempts at taking the sandbox lock when it keeps being released or taken over under us. */
export const sandboxLockAttemptsMax = 3;

// ── Store ────────────────────────────────────────────────────────────────────────────────

/** PostgreSQL connections per process: enough for the workers and the API's concurrent requests. */
export const postgresPoolConnectionsMax = 10;

/** A bound that does not hold its relation to another: the service refuses to start. */
export class LimitsError extends Error {
  override name = 'LimitsError';
}

/** The settings that bounds relate to: the configured chains' intervals. */
export interface LimitsSettings {
  chains: ReadonlyArray<{ id: string; pollIntervalMs: number; stallAlertAfterMs: number; stuckAfterMs: number; dropAfterMs: number }>;
}

/**
 * Asserts the relations between bounds (and between bounds and settings) at start-up: a
 * lease shorter than two polls of its loop would be lost between two steps and taken over
 * while its holder still works; a limit per merchant above the global one could never be
 * reached; and so on. Throws LimitsError naming the bounds.
 */
export function checkLimits(settings: LimitsSettings): void {
  const failures: string[] = [];
  const atLeast = (what: string, value: number, min: number, minWhat: string) => {
    if (!(value >= min)) failures.push(`${what} (${value}) must be at least ${minWhat} (${min})`);
  };
  atLeast('notifyInFlightGlobalMax', notifyInFlightGlobalMax, notifyInFlightPerMerchantMax, 'notifyInFlightPerMerchantMax');
  atLeast('notifyClaimScanMax', notifyClaimScanMax, notifyInFlightGlobalMax, 'notifyInFlightGlobalMax');
  atLeast('notifyLeaseMarginMs', notifyLeaseMarginMs, 2 * notifyPollIntervalMs, 'twice notifyPollIntervalMs');
  atLeast('operatorAuthBackoffMaxMs', operatorAuthBackoffMaxMs, operatorAuthBackoffBaseMs, 'operatorAuthBackoffBaseMs');
  atLeast('operatorAuthForgetAfterMs', operatorAuthForgetAfterMs, operatorAuthBackoffMaxMs, 'operatorAuthBackoffMaxMs');
  atLeast('backfillBackoffMaxMs', backfillBackoffMaxMs, backfillBackoffMs, 'backfillBackoffMs');
  atLeast('chainLeasePollIntervalsCount', chainLeasePollIntervalsCount, 2, 'two polls');
  atLeast('rsaQueueTasksMax', rsaQueueTasksMax, rsaSegmentsPerWorkerMin, 'rsaSegmentsPerWorkerMin');
  for (const chain of settings.chains) {
    atLeast(`the worker lease of ${chain.id}`, chainLeaseTtlMs(chain.pollIntervalMs), 2 * chain.pollIntervalMs, 'twice its pollIntervalMs');
    // A stall is called only after the scanner looked again; a send is dropped only after it was found stuck.
    atLeast(`${chain.id} stallAlertAfterMs`, chain.stallAlertAfterMs, chain.pollIntervalMs, 'its pollIntervalMs');
    atLeast(`${chain.id} dropAfterMs`, chain.dropAfterMs, chain.stuckAfterMs, 'its stuckAfterMs');
  }
  if (failures.length > 0) throw new LimitsError(`inconsistent bounds: ${failures.join('; ')}`);
}
