import type { OperatorResponse } from '../contracts/operator.js';
import { countNotifications, listNotifications, type NotificationState } from '../modules/notifications/index.js';
import type { Db } from '../store/tx.js';
import { requireMerchant } from './actions.js';

/**
 * The notification outbox as the operator API (GET /notifications) and the CLI
 * (`notifications list --json`) show it: the page asked for, and the counts per state (of one
 * merchant when `appId` is given; 404 not_found for an unknown one).
 */
export async function notificationsView(
  db: Db,
  filter: { state?: NotificationState; appId?: string; afterId?: number; limit?: number },
): Promise<OperatorResponse<'GET /notifications'>> {
  const merchantId = filter.appId !== undefined ? Number((await requireMerchant(db, filter.appId)).id) : undefined;
  const notifications = await listNotifications(db, {
    ...(filter.state !== undefined ? { state: filter.state } : {}),
    ...(merchantId !== undefined ? { merchantId } : {}),
    ...(filter.afterId !== undefined ? { afterId: filter.afterId } : {}),
    ...(filter.limit !== undefined ? { limit: filter.limit } : {}),
  });
  return { counts: await countNotifications(db, merchantId), notifications };
}
