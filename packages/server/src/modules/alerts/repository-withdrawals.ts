import type { Db } from '../../store/tx.js';

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
