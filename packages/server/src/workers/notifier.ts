/**
 * Notification delivery (API.md §3): every outbox row is POSTed to its merchant's notify_url
 * as form `app_id` + `data` (sealed with the merchant's wallet private key) until the merchant
 * answers exactly `SUCCESS`. All state lives in the `notifications` table, so deliveries
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
 * Merchants without a notify_url: their rows stay `pending` and are not claimed (no attempt is
 * spent); operator listings show them as waiting for a notify_url, and they go out on the next
 * poll once one is configured. Deactivated merchants still receive notifications: they report on
 * funds the merchant holds with us.
 */
import { sql } from 'kysely';
import type { ServiceContext } from '../context.js';
import { merchantWalletKey } from '../domain/merchants.js';
import type { Merchant, NotificationRow } from '../store/schema.js';
import * as limits from './limits.js';

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
}

/** The outcome of one POST to a merchant. */
type Attempt = { ok: true } | { ok: false; error: string; aborted: boolean };

type NotifierContext = Pick<ServiceContext, 'config' | 'store' | 'log' | 'clock' | 'sealer' | 'secrets'>;

/** Merchant fields a delivery needs; the wallet private key is never logged. */
interface Recipient {
  appId: string;
  notifyUrl: string;
  /** Encrypted at rest; opened by merchantWalletKey just before sealing. */
  walletKey: Pick<Merchant, 'app_id' | 'wallet_private_key'>;
}

function truncate(text: string): string {
  return text.length > limits.notifyErrorLengthMax ? text.slice(0, limits.notifyErrorLengthMax) + '…' : text;
}

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

/** Reads at most `limit` bytes of a response body, then drops the rest. */
async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** POSTs one notification; any answer but a 2xx whose body trims to `SUCCESS` is a failure. */
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
    const text = await readCapped(response, limits.notifyResponseBytesMax);
    if (response.status < 200 || response.status > 299) return { ok: false, error: `HTTP ${response.status}`, aborted: false };
    if (text.trim() !== 'SUCCESS') return { ok: false, error: `answered ${JSON.stringify(text.trim().slice(0, 40))}, not SUCCESS`, aborted: false };
    return { ok: true };
  } catch (error) {
    if (stop.aborted) return { ok: false, error: 'worker stopped', aborted: true };
    const why = describeError(error);
    return { ok: false, error: why === 'timed out' ? `timed out after ${timeoutMs} ms` : why, aborted: false };
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
    const excluded = saturated.length > 0 ? sql`and n.merchant_id not in (${sql.join(saturated)})` : sql``;
    // Ranked per merchant so a merchant with a large backlog fills only its own slots.
    const candidates = await sql<{ id: number | string; merchant_id: number | string }>`
      select id, merchant_id from (
        select n.id, n.merchant_id, n.next_attempt_at,
          row_number() over (partition by n.merchant_id order by n.next_attempt_at, n.id) as rn
        from notifications n join merchants m on m.id = n.merchant_id
        where n.state = 'pending' and n.next_attempt_at <= ${now} and n.lease_until < ${now}
          and m.notify_url is not null and m.notify_url <> '' ${excluded}
      ) ranked
      where rn <= ${perMerchantMax}
      order by next_attempt_at, id
      limit ${limits.notifyClaimScanMax}`.execute(store.db);

    const picked: number[] = [];
    const planned = new Map<number, number>();
    for (const c of candidates.rows) {
      if (picked.length >= free) break;
      const merchantId = Number(c.merchant_id);
      const busy = (inFlightByMerchant.get(merchantId) ?? 0) + (planned.get(merchantId) ?? 0);
      if (busy >= perMerchantMax) continue;
      planned.set(merchantId, (planned.get(merchantId) ?? 0) + 1);
      picked.push(Number(c.id));
    }
    if (picked.length === 0) return;

    const leaseUntil = now + leaseMs;
    let due = store.db
      .selectFrom('notifications')
      .select('id')
      .where('id', 'in', picked)
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where('lease_until', '<', now);
    // Another process may be claiming the same rows: skip them instead of queueing behind its lock.
    if (store.dialect === 'postgres') due = due.forUpdate().skipLocked();
    const claimed = await store.db.updateTable('notifications').set({ lease_until: leaseUntil }).where('id', 'in', due).returningAll().execute();

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

  async function recipientOf(merchantId: number): Promise<Recipient | undefined> {
    const m = await store.db
      .selectFrom('merchants')
      .select(['app_id', 'notify_url', 'wallet_private_key'])
      .where('id', '=', merchantId)
      .executeTakeFirst();
    if (!m?.notify_url) return undefined;
    return { appId: m.app_id, notifyUrl: m.notify_url, walletKey: m };
  }

  async function deliver(row: NotificationRow, leaseUntil: number): Promise<void> {
    const id = Number(row.id);
    const merchantId = Number(row.merchant_id);
    const recipient = await recipientOf(merchantId);
    if (!recipient) {
      // The URL was removed after the claim: leave the row waiting, as for any merchant without one.
      await release(row, leaseUntil);
      return;
    }
    let attempt: Attempt;
    try {
      const now = clock.nowMs();
      const payload = JSON.parse(row.payload) as Record<string, string>;
      const data = await sealer.seal(merchantId, await merchantWalletKey(ctx.secrets, recipient.walletKey), {
        charset: 'utf-8',
        version: 'v2',
        side: row.side,
        notify_time: String(now),
        notify_id: String(id),
        ...payload,
      });
      attempt = await post(recipient.notifyUrl, { app_id: recipient.appId, data }, config.notifyTimeoutMs, stopController.signal);
    } catch (error) {
      attempt = { ok: false, error: `could not prepare the notification: ${describeError(error)}`, aborted: false };
    }
    if (!attempt.ok && attempt.aborted) {
      await release(row, leaseUntil);
      return;
    }
    await record(row, leaseUntil, attempt, recipient);
  }

  /** Writes the outcome, if the lease is still ours (otherwise another worker owns the row now). */
  async function record(row: NotificationRow, leaseUntil: number, attempt: Attempt, recipient: Recipient): Promise<void> {
    const id = Number(row.id);
    const now = clock.nowMs();
    const attempts = row.attempts + 1;
    const error = attempt.ok ? '' : truncate(attempt.error);
    const delayMs = schedule[attempts - 1];
    const exhausted = delayMs === undefined;
    const set = attempt.ok
      ? { state: 'delivered' as const, attempts, delivered_at: now, lease_until: 0, last_error: '' }
      : exhausted
        ? { state: 'failed' as const, attempts, lease_until: 0, last_error: error }
        : { attempts, next_attempt_at: now + delayMs, lease_until: 0, last_error: error };
    const result = await store.db
      .updateTable('notifications')
      .set(set)
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .where('lease_until', '=', leaseUntil)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      log.warn({ notificationId: id }, 'notifier: the lease had passed to another worker; outcome not recorded');
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
    await store.db
      .updateTable('notifications')
      .set({ lease_until: 0 })
      .where('id', '=', Number(row.id))
      .where('state', '=', 'pending')
      .where('lease_until', '=', leaseUntil)
      .execute();
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
