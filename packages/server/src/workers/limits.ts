/**
 * Bounds of the background workers, in one place (units last in every name). Each loop,
 * queue, batch and wait of a worker is limited by one of these; change them here only.
 */

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

/** Rows changed per statement by bulk operator actions (resend all failed). */
export const adminBatchSizeMax = 1_000;

/** Rows returned by one operator listing. */
export const adminListLimitMax = 1_000;
