/** The worker_leases table: the only SQL that touches it. */
import type { Db } from '../../store/tx.js';

/** Inserts lease `name` for `holder` unless a row exists. */
export async function insertLeaseIfMissing(db: Db, lease: { name: string; holder: string; untilMs: number }): Promise<void> {
  await db.insertInto('worker_leases').values({ name: lease.name, holder: lease.holder, lease_until: lease.untilMs }).onConflict((oc) => oc.column('name').doNothing()).execute();
}

/** Extends lease `name` to `untilMs` if `holder` holds it or it expired before `nowMs`; true when it did. */
export async function takeLease(db: Db, lease: { name: string; holder: string; untilMs: number; nowMs: number }): Promise<boolean> {
  const taken = await db
    .updateTable('worker_leases')
    .set({ holder: lease.holder, lease_until: lease.untilMs })
    .where('name', '=', lease.name)
    .where((eb) => eb.or([eb('holder', '=', lease.holder), eb('lease_until', '<', lease.nowMs)]))
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

export async function deleteLease(db: Db, lease: { name: string; holder: string }): Promise<void> {
  await db.deleteFrom('worker_leases').where('name', '=', lease.name).where('holder', '=', lease.holder).execute();
}

/** Every lease row (name, holder, until), at most `limit`, by name. */
export async function listLeaseRows(db: Db, limit: number): Promise<Array<{ name: string; holder: string; untilMs: number }>> {
  const rows = await db.selectFrom('worker_leases').select(['name', 'holder', 'lease_until']).orderBy('name').limit(limit).execute();
  return rows.map((r) => ({ name: r.name, holder: r.holder, untilMs: Number(r.lease_until) }));
}
