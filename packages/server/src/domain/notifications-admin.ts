import type { ServiceContext } from '../context.js';
import type { Db } from '../store/tx.js';
import type { NotificationRow } from '../store/schema.js';
import { adminBatchSizeMax, adminListLimitMax } from '../workers/limits.js';
import { AdminError } from './admin-errors.js';

/** What operator actions on notifications need; the notifier is woken after a resend. */
export type NotificationAdminContext = Pick<ServiceContext, 'store' | 'clock' | 'notifier'>;

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

type Joined = NotificationRow & { app_id: string; notify_url: string | null };

function view(r: Joined): NotificationView {
  let payload: Record<string, string> = {};
  try {
    payload = JSON.parse(r.payload) as Record<string, string>;
  } catch {
    // Shown empty rather than failing the whole listing; the worker reports it on delivery.
  }
  return {
    id: Number(r.id),
    app_id: r.app_id,
    side: r.side,
    record_id: Number(r.record_id),
    state: r.state,
    attempts: r.attempts,
    next_attempt_at: Number(r.next_attempt_at),
    last_error: r.last_error,
    waiting: r.state === 'pending' && !r.notify_url ? 'merchant has no notify_url: delivered once one is configured' : '',
    created_at: Number(r.created_at),
    delivered_at: r.delivered_at === null ? null : Number(r.delivered_at),
    payload,
  };
}

function joined(db: Db) {
  return db
    .selectFrom('notifications')
    .innerJoin('merchants', 'merchants.id', 'notifications.merchant_id')
    .selectAll('notifications')
    .select(['merchants.app_id', 'merchants.notify_url']);
}

/** Notifications in id order, filtered by state and merchant. */
export async function listNotifications(db: Db, filter: NotificationFilter = {}): Promise<NotificationView[]> {
  const limit = Math.min(Math.max(filter.limit ?? adminListLimitMax, 1), adminListLimitMax);
  let q = joined(db).where('notifications.id', '>', filter.afterId ?? 0);
  if (filter.state) q = q.where('notifications.state', '=', filter.state);
  if (filter.merchantId !== undefined) q = q.where('notifications.merchant_id', '=', filter.merchantId);
  const rows = await q.orderBy('notifications.id').limit(limit).execute();
  return rows.map(view);
}

/** One notification, or not_found. */
export async function getNotification(db: Db, id: number): Promise<NotificationView> {
  const row = await joined(db).where('notifications.id', '=', id).executeTakeFirst();
  if (!row) throw AdminError.notFound(`notification ${id}`);
  return view(row);
}

/**
 * Sends a notification again, now: a failed or delivered row becomes pending with its attempts
 * reset (the full schedule applies again); a pending one is just made due now (a delivery in
 * flight keeps its lease, so it is never sent twice at once). The merchant sees the same
 * notify_id, so one that already processed it only answers SUCCESS.
 */
export async function resendNotification(ctx: NotificationAdminContext, id: number): Promise<NotificationView> {
  const now = ctx.clock.nowMs();
  const row = await ctx.store.db.selectFrom('notifications').select(['id', 'state']).where('id', '=', id).executeTakeFirst();
  if (!row) throw AdminError.notFound(`notification ${id}`);
  if (row.state === 'pending') {
    await ctx.store.db.updateTable('notifications').set({ next_attempt_at: now }).where('id', '=', id).where('state', '=', 'pending').execute();
  } else {
    await ctx.store.db
      .updateTable('notifications')
      .set({ state: 'pending', attempts: 0, next_attempt_at: now, lease_until: 0, last_error: '', delivered_at: null })
      .where('id', '=', id)
      .where('state', '=', row.state)
      .execute();
  }
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
    let q = ctx.store.db.selectFrom('notifications').select('id').where('state', '=', 'failed').where('id', '>', afterId);
    if (options.merchantId !== undefined) q = q.where('merchant_id', '=', options.merchantId);
    const ids = (await q.orderBy('id').limit(adminBatchSizeMax).execute()).map((r) => Number(r.id));
    if (ids.length === 0) break;
    const now = ctx.clock.nowMs();
    const result = await ctx.store.db
      .updateTable('notifications')
      .set({ state: 'pending', attempts: 0, next_attempt_at: now, lease_until: 0, last_error: '', delivered_at: null })
      .where('id', 'in', ids)
      .where('state', '=', 'failed')
      .executeTakeFirst();
    count += Number(result.numUpdatedRows);
    afterId = ids[ids.length - 1]!;
    options.onProgress?.(count);
    ctx.notifier.wake();
  }
  return { count };
}

/** Counts by state (for dashboards and `notifications list` summaries). */
export async function countNotifications(db: Db, merchantId?: number): Promise<Record<NotificationState, number>> {
  let q = db.selectFrom('notifications').select(['state', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('state');
  if (merchantId !== undefined) q = q.where('merchant_id', '=', merchantId);
  const out: Record<NotificationState, number> = { pending: 0, delivered: 0, failed: 0 };
  for (const r of await q.execute()) out[r.state] = Number(r.n);
  return out;
}
