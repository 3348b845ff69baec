import { alertsPageDefaultMax, alertsPageMax } from '../../limits.js';
import type { OperatorAlert } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { findOpenAlert, insertAlert, listAlertRows, resolveOpenAlertById, resolveOpenAlertByKey, updateOpenAlert } from './repository.js';

/**
 * Raises an alert for operators (hot wallet too low, reorg below a credited deposit, a sweep
 * failing again and again). One open alert per `key`: raising it again updates its message
 * and count instead of piling up rows.
 */
export async function raiseAlert(db: Db, input: { kind: string; key: string; message: string; nowMs: number }): Promise<void> {
  const open = await findOpenAlert(db, input.key);
  if (open) {
    await updateOpenAlert(db, open.id, { message: input.message, count: open.count + 1, nowMs: input.nowMs });
    return;
  }
  await insertAlert(db, input);
}

/** Closes the open alert `key` (the condition went away). */
export function resolveAlert(db: Db, key: string, nowMs: number): Promise<void> {
  return resolveOpenAlertByKey(db, key, nowMs);
}

/** Open alerts (or all, newest first), for the operator API and CLI. */
export function listAlerts(db: Db, options: { all?: boolean; limit?: number } = {}): Promise<OperatorAlert[]> {
  return listAlertRows(db, { all: options.all ?? false, limit: Math.min(options.limit ?? alertsPageDefaultMax, alertsPageMax) });
}

/** Closes alert `id` by hand; false when there is no such open alert. */
export function resolveAlertById(db: Db, id: number, nowMs: number): Promise<boolean> {
  return resolveOpenAlertById(db, { id, nowMs });
}
