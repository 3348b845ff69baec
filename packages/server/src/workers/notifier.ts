/**
 * Notification delivery (API.md §3): every outbox row is POSTed to its merchant's notify_url
 * as form `app_id` + `data` (sealed with the merchant's wallet private key, its integer fields
 * typed by the merchant's callback profile) until the merchant acknowledges it with a 2xx answer:
 * `SUCCESS` in any case with surrounding whitespace, or a JSON object whose `code` is 0 or "0"
 * (modules/notifications/acknowledgement.ts). All state lives in the `notifications` table, so deliveries
 * survive restarts and several processes may run this worker side by side.
 *
 * Schedule: the first attempt is made as soon as the row is due; after the n-th failed attempt
 * the next one waits `config.notifyScheduleMs[n-1]`; when the last delay has been used and that
 * attempt fails too, the row becomes `failed` (listed and resendable by operators; never dropped).
 *
 * Claiming: due rows are leased (`lease_until`) by a conditional UPDATE (on PostgreSQL through a
 * `FOR UPDATE SKIP LOCKED` subselect), so two workers never hold a row together and a crashed
 * worker's rows are taken over when their lease runs out. The outcome is written only while the
 * lease is still ours (fencing on `lease_until`).
 *
 * Isolation: deliveries run concurrently, at most `notifyInFlightPerMerchantMax` per merchant and
 * `notifyInFlightGlobalMax` in all; the poll loop never awaits a delivery, and candidates are
 * ranked per merchant, so one merchant's slow or failing endpoint cannot delay another's.
 *
 * Attempt log: every attempt is appended to notification_attempts (when, the HTTP status or null
 * without an answer, the first notifyAnswerExcerptBytesMax bytes of the answer, the error, how
 * long it took), in the transaction that records its outcome. Per delivery that is at most
 * notifyScheduleMs.length + 1 rows; operator resends append, and the log keeps the newest
 * notifyAttemptsKeptMax per notification.
 *
 * Merchants without a notify_url: their rows stay `pending` and are not claimed (no attempt is
 * spent); operator listings show them as waiting for a notify_url, and they go out on the next
 * poll once one is configured. Deactivated merchants still receive notifications: they report on
 * funds the merchant holds with us.
 */
import type { ServiceContext } from '../context.js';
import { merchantWalletKey } from '../modules/merchants/index.js';
import { readLimited } from '../http/read-limited.js';
import {
  boundedError,
  findDeliveryCandidates,
  applyCallbackProfile,
  findRecipient,
  isAcknowledgement,
  leaseDueNotifications,
  logDeliveryAttempt,
  recordDeliveryAttempt,
  releaseDelivery,
  type AttemptRecord,
  type DeliveryOutcome,
  type Recipient,
} from '../modules/notifications/index.js';
import type { NotificationRow } from '../store/schema.js';
import * as limits from '../limits.js';

/** The running worker. */
export interface Notifier {
  /** Looks for due rows now instead of at the next poll (called after commits that enqueue). */
  wake(): void;
  /** Stops polling, aborts deliveries in flight, releases their leases; resolves when all is quiet. */
  stop(): Promise<void>;
}

/** Bounds a test (or a tuned deployment) may tighten; defaults come from limits.ts. */
export interface NotifierOptions {
  pollIntervalMs?: number;
  inFlightPerMerchantMax?: number;
  inFlightGlobalMax?: number;
  /** Called with each recorded attempt's result (the metrics count them). */
  onAttempt?(result: DeliveryOutcome['kind']): void;
}

/** The outcome of one POST to a merchant, with what the attempt log keeps of it. */
type Attempt = ({ ok: true } | { ok: false; error: string; aborted: boolean }) & {
  /** The merchant's HTTP status; null without an answer. */
  httpStatus: number | null;
  /** The answer's body as read (the log keeps its first bytes). */
  answer: string;
};

type NotifierContext = Pick<ServiceContext, 'config' | 'store' | 'log' | 'clock' | 'sealer' | 'secrets'>;

/** A transport error in words, without the URL (its query string may hold a merchant secret). */
function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  if (e?.name === 'AbortError') return 'aborted';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e?.message ?? 'error'}: ${cause}` : (e?.message ?? String(error));
}

/** Host of a URL for logs (never its path or query). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}

/** POSTs one notification; any answer but a 2xx acknowledgement (isAcknowledgement) is a failure. */
async function post(url: string, form: { app_id: string; data: string }, timeoutMs: number, stop: AbortSignal): Promise<Attempt> {
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      // A redirect is a misconfigured URL: report it instead of following it elsewhere.
      redirect: 'manual',
      signal,
    });
    const answered = { httpStatus: response.status, answer: '' };
    let text: string;
    try {
      // A longer answer is read as its prefix: SUCCESS padded with whitespace still is one, a cut JSON object is not.
      text = (await readLimited(response, limits.notifyResponseBytesMax)).text;
    } catch (error) {
      if (stop.aborted) return { ok: false, error: 'worker stopped', aborted: true, ...answered };
      const why = describeError(error);
      return { ok: false, error: `HTTP ${response.status}, the answer broke off: ${why === 'timed out' ? `timed out after ${timeoutMs} ms` : why}`, aborted: false, ...answered };
    }
    const got = { httpStatus: response.status, answer: text };
    if (response.status < 200 || response.status > 299) return { ok: false, error: `HTTP ${response.status}`, aborted: false, ...got };
    if (!isAcknowledgement(text)) return { ok: false, error: `answered ${JSON.stringify(text.trim().slice(0, 40))}, not SUCCESS or a JSON code 0`, aborted: false, ...got };
    return { ok: true, ...got };
  } catch (error) {
    const none = { httpStatus: null, answer: '' };
    if (stop.aborted) return { ok: false, error: 'worker stopped', aborted: true, ...none };
    const why = describeError(error);
    return { ok: false, error: why === 'timed out' ? `timed out after ${timeoutMs} ms` : why, aborted: false, ...none };
  }
}

/**
 * Starts the delivery loop for this process. Call `stop()` before closing the store.
 * @example
 * const notifier = startNotifier(ctx);
 * ctx.notifier = notifier; // domain code calls ctx.notifier.wake() after enqueueing
 */
export function startNotifier(ctx: NotifierContext, options: NotifierOptions = {}): Notifier {
  const { store, log, clock, sealer, config } = ctx;
  const pollIntervalMs = options.pollIntervalMs ?? limits.notifyPollIntervalMs;
  const perMerchantMax = options.inFlightPerMerchantMax ?? limits.notifyInFlightPerMerchantMax;
  const globalMax = options.inFlightGlobalMax ?? limits.notifyInFlightGlobalMax;
  const schedule = config.notifyScheduleMs;
  const leaseMs = config.notifyTimeoutMs + limits.notifyLeaseMarginMs;

  const inFlightByMerchant = new Map<number, number>();
  let inFlight = 0;
  const deliveries = new Set<Promise<void>>();
  const stopController = new AbortController();
  let stopped = false;
  let ticking: Promise<void> | undefined;
  let again = false;
  let pollTimer: NodeJS.Timeout | undefined;
  const retryTimers = new Set<NodeJS.Timeout>();

  function schedulePoll(delayMs: number): void {
    if (stopped) return;
    clearTimeout(pollTimer);
    pollTimer = setTimeout(wake, delayMs);
    pollTimer.unref();
  }

  /** A retry due before the next regular poll gets its own timer, so short schedules are kept. */
  function wakeAt(delayMs: number): void {
    if (stopped || delayMs >= pollIntervalMs) return;
    const timer = setTimeout(() => {
      retryTimers.delete(timer);
      wake();
    }, delayMs);
    timer.unref();
    retryTimers.add(timer);
  }

  function wake(): void {
    if (stopped) return;
    if (ticking) {
      again = true;
      return;
    }
    ticking = tick().finally(() => {
      ticking = undefined;
    });
  }

  async function tick(): Promise<void> {
    let delayMs = pollIntervalMs;
    try {
      do {
        again = false;
        await claimAndStart();
      } while (again && !stopped);
    } catch (error) {
      log.error({ err: describeError(error) }, 'notifier: polling failed');
      delayMs = limits.notifyErrorBackoffMs;
    }
    schedulePoll(delayMs);
  }

  /** Finds due rows with free capacity, leases them and starts their deliveries (not awaited). */
  async function claimAndStart(): Promise<void> {
    const free = globalMax - inFlight;
    if (free <= 0 || stopped) return;
    const now = clock.nowMs();
    const saturated = [...inFlightByMerchant].filter(([, n]) => n >= perMerchantMax).map(([id]) => id);
    // Ranked per merchant so a merchant with a large backlog fills only its own slots.
    const candidates = await findDeliveryCandidates(store.db, { nowMs: now, perMerchantMax, excluded: saturated, limit: limits.notifyClaimScanMax });

    const picked: number[] = [];
    const planned = new Map<number, number>();
    for (const c of candidates) {
      if (picked.length >= free) break;
      const merchantId = c.merchantId;
      const busy = (inFlightByMerchant.get(merchantId) ?? 0) + (planned.get(merchantId) ?? 0);
      if (busy >= perMerchantMax) continue;
      planned.set(merchantId, (planned.get(merchantId) ?? 0) + 1);
      picked.push(c.id);
    }
    if (picked.length === 0) return;

    const leaseUntil = now + leaseMs;
    // Another process may be claiming the same rows: they are skipped instead of waited for.
    const claimed = await leaseDueNotifications(store.db, { ids: picked, nowMs: now, leaseUntil });

    for (const row of claimed) {
      if (stopped) {
        await release(row, leaseUntil);
        continue;
      }
      start(row, leaseUntil);
    }
  }

  function start(row: NotificationRow, leaseUntil: number): void {
    const merchantId = Number(row.merchant_id);
    inFlight += 1;
    inFlightByMerchant.set(merchantId, (inFlightByMerchant.get(merchantId) ?? 0) + 1);
    const delivery = deliver(row, leaseUntil)
      .catch((error: unknown) => {
        // Only database trouble gets here; the lease runs out and the row is retried then.
        log.error({ notificationId: Number(row.id), merchantId, err: describeError(error) }, 'notifier: recording a delivery failed');
      })
      .finally(() => {
        inFlight -= 1;
        const left = (inFlightByMerchant.get(merchantId) ?? 1) - 1;
        if (left > 0) inFlightByMerchant.set(merchantId, left);
        else inFlightByMerchant.delete(merchantId);
        deliveries.delete(delivery);
        // A slot is free: the merchant's next due row (or anyone's) can go now.
        wake();
      });
    deliveries.add(delivery);
  }

  async function deliver(row: NotificationRow, leaseUntil: number): Promise<void> {
    const id = Number(row.id);
    const merchantId = Number(row.merchant_id);
    const recipient = await findRecipient(store.db, merchantId);
    if (!recipient) {
      // The URL was removed after the claim: leave the row waiting, as for any merchant without one.
      await release(row, leaseUntil);
      return;
    }
    let attempt: Attempt;
    const atMs = clock.nowMs();
    const startedAt = performance.now();
    try {
      const payload = JSON.parse(row.payload) as Record<string, string>;
      // The outbox keeps the seeds' shape; the merchant's callback profile types it as sent.
      const sent = applyCallbackProfile(recipient.callbackProfile, {
        charset: 'utf-8',
        version: 'v2',
        side: row.side,
        notify_time: String(atMs),
        notify_id: String(id),
        ...payload,
      });
      const data = await sealer.seal(merchantId, await merchantWalletKey(ctx.secrets, recipient.walletKey), sent);
      attempt = await post(recipient.notifyUrl, { app_id: recipient.appId, data }, config.notifyTimeoutMs, stopController.signal);
    } catch (error) {
      attempt = { ok: false, error: `could not prepare the notification: ${describeError(error)}`, aborted: false, httpStatus: null, answer: '' };
    }
    const logged: AttemptRecord = { atMs, httpStatus: attempt.httpStatus, answer: attempt.answer, error: attempt.ok ? '' : attempt.error, durationMs: performance.now() - startedAt };
    if (!attempt.ok && attempt.aborted) {
      // The request went out (or was about to): logged, but no attempt counted on the row.
      await logDeliveryAttempt(store.db, Number(row.id), { ...logged, error: 'worker stopped before the answer: not counted, sent again later' });
      await release(row, leaseUntil);
      return;
    }
    await record(row, leaseUntil, attempt, recipient, logged);
  }

  /** Writes the outcome, if the lease is still ours (otherwise another worker owns the row now). */
  async function record(row: NotificationRow, leaseUntil: number, attempt: Attempt, recipient: Recipient, logged: AttemptRecord): Promise<void> {
    const id = Number(row.id);
    const now = clock.nowMs();
    const attempts = row.attempts + 1;
    const error = attempt.ok ? '' : boundedError(attempt.error);
    const delayMs = schedule[attempts - 1];
    const exhausted = delayMs === undefined;
    const outcome: DeliveryOutcome = attempt.ok
      ? { kind: 'delivered', attempts, nowMs: now }
      : exhausted
        ? { kind: 'failed', attempts, error }
        : { kind: 'retry', attempts, nextAttemptAtMs: now + delayMs, error };
    if (!(await recordDeliveryAttempt(store, { id, leaseUntil, outcome, attempt: logged }))) {
      log.warn({ notificationId: id }, 'notifier: the lease had passed to another worker; outcome not recorded');
    } else {
      options.onAttempt?.(outcome.kind);
    }
    if (attempt.ok) return;
    log.warn(
      {
        notificationId: id,
        merchantId: Number(row.merchant_id),
        appId: recipient.appId,
        host: hostOf(recipient.notifyUrl),
        attempt: attempts,
        error,
        ...(exhausted ? { gaveUp: true } : { retryInMs: delayMs }),
      },
      exhausted ? 'notification failed for good: operator resend needed' : 'notification delivery failed, will retry',
    );
    if (!exhausted) wakeAt(delayMs);
  }

  /** Gives a row back untouched (no attempt counted), e.g. when stopping mid-delivery. */
  async function release(row: NotificationRow, leaseUntil: number): Promise<void> {
    await releaseDelivery(store.db, { id: Number(row.id), leaseUntil });
  }

  wake();

  return {
    wake,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(pollTimer);
      for (const t of retryTimers) clearTimeout(t);
      retryTimers.clear();
      stopController.abort();
      await ticking?.catch(() => {});
      await Promise.allSettled([...deliveries]);
    },
  };
}
