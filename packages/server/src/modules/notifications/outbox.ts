import type { Tx } from '../../store/tx.js';
import * as repo from './repository.js';

/**
 * Writes a notification to the outbox inside the caller's transaction, so it exists if and
 * only if the status change it reports was committed. `payload` is the record's fields as
 * strings; the delivery worker adds charset, version, side, notify_time and notify_id.
 */
export function enqueueNotification(
  tx: Tx,
  input: { merchantId: number; side: 'deposit' | 'withdraw'; recordId: number; payload: Record<string, string>; nowMs: number },
): Promise<number> {
  return repo.insertNotification(tx, { ...input, payload: JSON.stringify(input.payload) });
}
