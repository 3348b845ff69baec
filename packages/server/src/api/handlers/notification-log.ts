/**
 * The merchant's delivery log, an extension outside the WaaS v2 contract (docs/api-extensions.md):
 * its own notifications with every delivery attempt, and a resend of one. Another merchant's
 * notifications are never listed, and resending one answers as if it did not exist.
 */
import type { MerchantNotification } from '@openwaas/sdk';
import { ApiError } from '../../errors/api-error.js';
import { AdminError } from '../../errors/admin-errors.js';
import { getNotification, listNotificationAttempts, listNotifications, notificationStates, resendNotification, type NotificationState, type NotificationView } from '../../modules/notifications/index.js';
import type { ServiceContext } from '../../context.js';
import { maxIdField } from '../fields.js';
import type { ExtensionHandler } from '../handler.js';
import { pageSizeMax } from './common.js';

async function logEntry(ctx: ServiceContext, n: NotificationView): Promise<MerchantNotification> {
  const attempts = await listNotificationAttempts(ctx.store.db, n.id);
  return {
    notify_id: String(n.id),
    side: n.side,
    id: String(n.record_id),
    state: n.state,
    attempts: String(n.attempts),
    next_attempt_at: n.state === 'pending' ? String(n.next_attempt_at) : '',
    last_error: n.last_error,
    created_at: String(n.created_at),
    delivered_at: n.delivered_at === null ? '' : String(n.delivered_at),
    payload: n.payload,
    attempts_log: attempts.map((a) => ({
      attempt: String(a.attempt),
      at: String(a.at_ms),
      http_status: a.http_status === null ? '' : String(a.http_status),
      answer_excerpt: a.answer_excerpt,
      error: a.error,
      duration_ms: String(a.duration_ms),
    })),
  };
}

function limitField(value: unknown): number {
  if (value === undefined || value === null || value === '') return pageSizeMax;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > pageSizeMax) throw ApiError.invalid('limit', `must be a whole number from 1 to ${pageSizeMax}`);
  return n;
}

function stateField(value: unknown): NotificationState | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !(notificationStates as readonly string[]).includes(value)) throw ApiError.invalid('state', `must be one of ${notificationStates.join(', ')}`);
  return value as NotificationState;
}

/** ext/notifications/list: the merchant's notifications with notify_id above after_id, oldest first, each with its attempts. */
export const notificationList: ExtensionHandler<'notificationList'> = async (ctx, { merchant, fields }) => {
  const state = stateField(fields['state']);
  const rows = await listNotifications(ctx.store.db, { merchantId: Number(merchant.id), afterId: maxIdField(fields, 'after_id'), limit: limitField(fields['limit']), ...(state ? { state } : {}) });
  const out: MerchantNotification[] = [];
  for (const n of rows) out.push(await logEntry(ctx, n));
  return out;
};

/** ext/notifications/resend: one of the merchant's notifications delivered again, now (the same notify_id). */
export const notificationResend: ExtensionHandler<'notificationResend'> = async (ctx, { merchant, fields }) => {
  const raw = fields['notify_id'];
  if (raw === undefined || raw === null || raw === '') throw ApiError.invalid('notify_id', 'is required');
  const id = maxIdField(fields, 'notify_id');
  const notFound = () => ApiError.invalid('notify_id', `no notification ${id} of this merchant`);
  let found: NotificationView;
  try {
    found = await getNotification(ctx.store.db, id);
  } catch (error) {
    if (error instanceof AdminError) throw notFound();
    throw error;
  }
  if (found.app_id !== merchant.app_id) throw notFound();
  return logEntry(ctx, await resendNotification(ctx, id));
};
