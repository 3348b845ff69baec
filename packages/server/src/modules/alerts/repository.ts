/** The operator_alerts table: the only SQL that touches it. */
import type { OperatorAlert } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

/** The open alert `key` (id and count), or undefined. */
export async function findOpenAlert(db: Db, key: string): Promise<{ id: number; count: number } | undefined> {
  const row = await db.selectFrom('operator_alerts').select(['id', 'count']).where('key', '=', key).where('resolved_at', 'is', null).executeTakeFirst();
  return row && { id: Number(row.id), count: row.count };
}

export async function updateOpenAlert(db: Db, id: number, input: { message: string; count: number; nowMs: number }): Promise<void> {
  await db.updateTable('operator_alerts').set({ message: input.message, count: input.count, updated_at: input.nowMs }).where('id', '=', id).execute();
}

export async function insertAlert(db: Db, input: { kind: string; key: string; message: string; nowMs: number }): Promise<void> {
  await db
    .insertInto('operator_alerts')
    .values({ kind: input.kind, key: input.key, message: input.message, count: 1, created_at: input.nowMs, updated_at: input.nowMs, resolved_at: null })
    .execute();
}

/** Closes the open alert `key`, if any. */
export async function resolveOpenAlertByKey(db: Db, key: string, nowMs: number): Promise<void> {
  await db.updateTable('operator_alerts').set({ resolved_at: nowMs, updated_at: nowMs }).where('key', '=', key).where('resolved_at', 'is', null).execute();
}

/** Closes open alert `id`; false when there is no such open alert. */
export async function resolveOpenAlertById(db: Db, input: { id: number; nowMs: number }): Promise<boolean> {
  const done = await db.updateTable('operator_alerts').set({ resolved_at: input.nowMs, updated_at: input.nowMs }).where('id', '=', input.id).where('resolved_at', 'is', null).executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}

/** Alerts newest first, open ones only unless `all`. */
export function listAlertRows(db: Db, options: { all: boolean; limit: number }): Promise<OperatorAlert[]> {
  let q = db.selectFrom('operator_alerts').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (!options.all) q = q.where('resolved_at', 'is', null);
  return q.execute();
}

/** Keys of the open (unresolved) alerts of `kind` whose key starts with `keyPrefix`. */
export async function listOpenAlertKeys(db: Db, filter: { kind: string; keyPrefix: string }): Promise<string[]> {
  const rows = await db
    .selectFrom('operator_alerts')
    .select('key')
    .where('kind', '=', filter.kind)
    .where('key', 'like', `${filter.keyPrefix}%`)
    .where('resolved_at', 'is', null)
    .execute();
  return rows.map((r) => r.key);
}

/** How many alerts are open (not resolved). */
export async function countOpenAlerts(db: Db): Promise<number> {
  const row = await db.selectFrom('operator_alerts').select((eb) => eb.fn.countAll<number | string>().as('n')).where('resolved_at', 'is', null).executeTakeFirst();
  return Number(row?.n ?? 0);
}
