import type { Tx } from '../store/tx.js';

/**
 * Writes a notification to the outbox inside the caller's transaction, so it exists if and
 * only if the status change it reports was committed. `payload` is the record's fields as
 * strings; the delivery worker adds charset, version, side, notify_time and notify_id.
 */
export async function enqueueNotification(
  tx: Tx,
  input: { merchantId: number; side: 'deposit' | 'withdraw'; recordId: number; payload: Record<string, string>; nowMs: number },
): Promise<number> {
  const row = await tx
    .insertInto('notifications')
    .values({
      merchant_id: input.merchantId,
      side: input.side,
      record_id: input.recordId,
      payload: JSON.stringify(input.payload),
      state: 'pending',
      attempts: 0,
      next_attempt_at: input.nowMs,
      lease_until: 0,
      last_error: '',
      created_at: input.nowMs,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}
