/** How far the outbox is behind, for the metrics scrape: bounded reads only. */
import type { Db } from '../../store/tx.js';
import * as repo from './repository.js';

/** The outbox's backlog: rows waiting (pending), rows given up (failed), and the oldest waiting row's enqueue time. */
export interface OutboxDepth {
  /** Pending rows, counted up to the cap given. */
  pending: number;
  /** Failed rows (waiting for an operator's resend), counted up to the cap given. */
  failed: number;
  /** When the oldest pending row was enqueued (ms); null when none waits. */
  oldestPendingCreatedMs: number | null;
}

/** The outbox's depth, each count capped at `countMax`. */
export async function outboxDepth(db: Db, countMax: number): Promise<OutboxDepth> {
  const pending = await repo.countNotificationsInStateUpTo(db, { state: 'pending', countMax });
  const failed = await repo.countNotificationsInStateUpTo(db, { state: 'failed', countMax });
  const oldest = pending === 0 ? undefined : await repo.oldestPendingCreatedAt(db);
  return { pending, failed, oldestPendingCreatedMs: oldest ?? null };
}
