import type { Notification } from '@openwaas/sdk';
import type { Db } from '../../src/store/tx.js';

/**
 * The notifier delivers concurrently (workers/notifier.ts): two notifications of one record may
 * arrive in either order, and a retried one again. What the service does guarantee is the
 * outbox: each status change writes its row in the same transaction as the change, so the
 * row ids (`notify_id`) follow the record's history. Tests compare statuses in that order.
 */
export function statusesInWriteOrder(notifications: readonly Notification[], side: Notification['side'], id: string | number): string[] {
  const byNotifyId = new Map<bigint, string>();
  for (const n of notifications) {
    if (n.side !== side || n.id !== String(id)) continue;
    if (n.notify_id === undefined) throw new Error(`notification of ${side} ${id} without notify_id`);
    byNotifyId.set(BigInt(n.notify_id), n.status);
  }
  return [...byNotifyId].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, status]) => status);
}

/** Statuses written to the outbox for one record, oldest first (delivered or not). */
export async function outboxStatuses(db: Db, side: Notification['side'], recordId: number): Promise<string[]> {
  const rows = await db.selectFrom('notifications').select('payload').where('side', '=', side).where('record_id', '=', recordId).orderBy('id').execute();
  return rows.map((r) => (JSON.parse(r.payload) as { status: string }).status);
}
