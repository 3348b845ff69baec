import { timelineSourceRowsMax } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import { views, type NotificationView } from './admin.js';
import { listNotificationsOfRecord } from './repository.js';

/**
 * The notifications written for one record, oldest first: one per status change the merchant is
 * told of, each with the record's fields at that change (`payload`) and its delivery state.
 */
export async function notificationsOfRecord(db: Db, record: { side: 'deposit' | 'withdraw'; recordId: number }): Promise<NotificationView[]> {
  return views(db, await listNotificationsOfRecord(db, { side: record.side, recordId: record.recordId, limit: timelineSourceRowsMax }));
}
