/** Operator actions on the outbox: list, show, resend (one, or every failed one). */
import { AdminError } from '../../errors/admin-errors.js';
import type { NotificationRow } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { adminBatchSizeMax, adminListLimitMax } from '../../limits.js';
import { merchantNotifyTargets } from '../merchants/index.js';
import type { NotificationAdminContext } from './deps.js';
import * as repo from './repository.js';

export const notificationStates = ['pending', 'delivered', 'failed'] as const;
export type NotificationState = (typeof notificationStates)[number];

/** A notification as operators see it. */
export interface NotificationView {
  id: number;
  app_id: string;
  side: 'deposit' | 'withdraw';
  record_id: number;
  state: NotificationState;
  attempts: number;
  next_attempt_at: number;
  last_error: string;
  /** Why a pending row is not being delivered, when it is stuck on configuration. */
  waiting: string;
  created_at: number;
  delivered_at: number | null;
  /** The record's fields as they will be sent. */
  payload: Record<string, string>;
}

export interface NotificationFilter {
  state?: NotificationState;
  merchantId?: number;
  /** Only ids above this (paging). */
  afterId?: number;
  /** At most adminListLimitMax. */
  limit?: number;
}

function view(r: NotificationRow, merchant: { appId: string; notifyUrl: string | null }): NotificationView {
  let payload: Record<string, string> = {};
  try {
    payload = JSON.parse(r.payload) as Record<string, string>;
  } catch {
    // Shown empty rather than failing the whole listing; the worker reports it on delivery.
  }
  return {
    id: Number(r.id),
    app_id: merchant.appId,
    side: r.side,
    record_id: Number(r.record_id),
    state: r.state,
    attempts: r.attempts,
    next_attempt_at: Number(r.next_attempt_at),
    last_error: r.last_error,
    waiting: r.state === 'pending' && !merchant.notifyUrl ? 'merchant has no notify_url: delivered once one is configured' : '',
    created_at: Number(r.created_at),
    delivered_at: r.delivered_at === null ? null : Number(r.delivered_at),
    payload,
  };
}

/** The rows with their merchants' app_id and notify_url (every row has its merchant: a foreign key). */
export async function views(db: Db, rows: readonly NotificationRow[]): Promise<NotificationView[]> {
  const merchants = await merchantNotifyTargets(db, rows.map((r) => Number(r.merchant_id)));
  return rows.flatMap((r) => {
    const m = merchants.get(Number(r.merchant_id));
    return m ? [view(r, m)] : [];
  });
}

/** Notifications in id order, filtered by state and merchant. */
export async function listNotifications(db: Db, filter: NotificationFilter = {}): Promise<NotificationView[]> {
  const limit = Math.min(Math.max(filter.limit ?? adminListLimitMax, 1), adminListLimitMax);
  const rows = await repo.listNotificationRows(db, {
    afterId: filter.afterId ?? 0,
    limit,
    ...(filter.state ? { state: filter.state } : {}),
    ...(filter.merchantId !== undefined ? { merchantId: filter.merchantId } : {}),
  });
  return views(db, rows);
}

/** One notification, or not_found. */
export async function getNotification(db: Db, id: number): Promise<NotificationView> {
  const row = await repo.findNotification(db, id);
  const [found] = row ? await views(db, [row]) : [];
  if (!found) throw AdminError.notFound(`notification ${id}`);
  return found;
}

/** One delivery attempt as operators see it. */
export interface NotificationAttemptView {
  /** 1, 2, … over the notification's life: a resend goes on counting. */
  attempt: number;
  at_ms: number;
  /** The merchant's HTTP status; null when no answer came (refused, timed out, not sent). */
  http_status: number | null;
  /** The first bytes of the merchant's answer (notifyAnswerExcerptBytesMax), as text. */
  answer_excerpt: string;
  /** Why it failed; '' when delivered. */
  error: string;
  duration_ms: number;
}

/** A notification with its delivery attempts, oldest first (GET /notifications/:id). */
export type NotificationDetailView = NotificationView & { attempts_log: NotificationAttemptView[] };

/** The delivery attempts of notification `id`, oldest first (at most notifyAttemptsKeptMax: the newest). */
export async function listNotificationAttempts(db: Db, id: number): Promise<NotificationAttemptView[]> {
  return (await repo.listNotificationAttemptRows(db, id)).map((r) => ({
    attempt: r.attempt,
    at_ms: Number(r.at_ms),
    http_status: r.http_status === null ? null : Number(r.http_status),
    answer_excerpt: r.answer_excerpt,
    error: r.error,
    duration_ms: Number(r.duration_ms),
  }));
}

/** One notification with its attempt log, or not_found. */
export async function getNotificationDetail(db: Db, id: number): Promise<NotificationDetailView> {
  const found = await getNotification(db, id);
  return { ...found, attempts_log: await listNotificationAttempts(db, id) };
}

/**
 * Sends a notification again, now: a failed or delivered row becomes pending with its attempts
 * reset (the full schedule applies again); a pending one is just made due now (a delivery in
 * flight keeps its lease, so it is never sent twice at once). The merchant sees the same
 * notify_id, so one that already processed it only answers SUCCESS. The new attempts are
 * appended to the same attempt log.
 */
export async function resendNotification(ctx: NotificationAdminContext, id: number): Promise<NotificationView> {
  const now = ctx.clock.nowMs();
  const row = await repo.findNotification(ctx.store.db, id);
  if (!row) throw AdminError.notFound(`notification ${id}`);
  if (row.state === 'pending') await repo.makeNotificationDue(ctx.store.db, { id, nowMs: now });
  else await repo.requeueNotifications(ctx.store.db, { ids: [id], fromState: row.state, nowMs: now });
  ctx.notifier.wake();
  return getNotification(ctx.store.db, id);
}

/**
 * Re-queues every failed notification (of one merchant, or all), in batches of
 * adminBatchSizeMax with progress after each. Returns how many were re-queued.
 */
export async function resendAllFailed(
  ctx: NotificationAdminContext,
  options: { merchantId?: number; onProgress?: (resent: number) => void } = {},
): Promise<{ count: number }> {
  let count = 0;
  let afterId = 0;
  for (;;) {
    const ids = await repo.listFailedNotificationIds(ctx.store.db, { afterId, limit: adminBatchSizeMax, ...(options.merchantId !== undefined ? { merchantId: options.merchantId } : {}) });
    if (ids.length === 0) break;
    count += await repo.requeueNotifications(ctx.store.db, { ids, fromState: 'failed', nowMs: ctx.clock.nowMs() });
    afterId = ids[ids.length - 1]!;
    options.onProgress?.(count);
    ctx.notifier.wake();
  }
  return { count };
}

/** Counts by state (for dashboards and `notifications list` summaries). */
export async function countNotifications(db: Db, merchantId?: number): Promise<Record<NotificationState, number>> {
  const out: Record<NotificationState, number> = { pending: 0, delivered: 0, failed: 0 };
  for (const r of await repo.countNotificationsByState(db, merchantId)) out[r.state] = r.n;
  return out;
}

/** Notifications created on one UTC day, by their state now. */
export interface NotificationDayCounts {
  /** UTC day: days since the epoch. */
  day: number;
  delivered: number;
  failed: number;
  pending: number;
}

/** Notifications created in [fromMs, toMs) per UTC day, counted by their state now (days without any are left out). */
export async function notificationsPerDay(db: Db, window: { fromMs: number; toMs: number }): Promise<NotificationDayCounts[]> {
  const days = new Map<number, NotificationDayCounts>();
  for (const r of await repo.countNotificationsPerDay(db, window)) {
    const day = days.get(r.day) ?? { day: r.day, delivered: 0, failed: 0, pending: 0 };
    day[r.state] += r.n;
    days.set(r.day, day);
  }
  return [...days.values()];
}
