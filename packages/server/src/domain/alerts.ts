import type { OperatorAlert } from '../store/schema.js';
import type { Db } from '../store/tx.js';

/**
 * Raises an alert for operators (hot wallet too low, reorg below a credited deposit, a sweep
 * failing again and again). One open alert per `key`: raising it again updates its message
 * and count instead of piling up rows.
 */
export async function raiseAlert(db: Db, input: { kind: string; key: string; message: string; nowMs: number }): Promise<void> {
  const open = await db.selectFrom('operator_alerts').select(['id', 'count']).where('key', '=', input.key).where('resolved_at', 'is', null).executeTakeFirst();
  if (open) {
    await db.updateTable('operator_alerts').set({ message: input.message, count: open.count + 1, updated_at: input.nowMs }).where('id', '=', open.id).execute();
    return;
  }
  await db
    .insertInto('operator_alerts')
    .values({ kind: input.kind, key: input.key, message: input.message, count: 1, created_at: input.nowMs, updated_at: input.nowMs, resolved_at: null })
    .execute();
}

/** Closes the open alert `key` (the condition went away). */
export async function resolveAlert(db: Db, key: string, nowMs: number): Promise<void> {
  await db.updateTable('operator_alerts').set({ resolved_at: nowMs, updated_at: nowMs }).where('key', '=', key).where('resolved_at', 'is', null).execute();
}

/** Open alerts (or all, newest first), for the operator API and CLI. */
export function listAlerts(db: Db, options: { all?: boolean; limit?: number } = {}): Promise<OperatorAlert[]> {
  let q = db.selectFrom('operator_alerts').selectAll().orderBy('id', 'desc').limit(Math.min(options.limit ?? 100, 1_000));
  if (!options.all) q = q.where('resolved_at', 'is', null);
  return q.execute();
}

/** Closes alert `id` by hand; false when there is no such open alert. */
export async function resolveAlertById(db: Db, id: number, nowMs: number): Promise<boolean> {
  const done = await db.updateTable('operator_alerts').set({ resolved_at: nowMs, updated_at: nowMs }).where('id', '=', id).where('resolved_at', 'is', null).executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}
