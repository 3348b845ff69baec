import { randomUUID } from 'node:crypto';
import type { Store } from '../store/db.js';

/** This process's name in lease rows. */
export const processHolder = `${process.pid}-${randomUUID().slice(0, 8)}`;

/**
 * Takes or renews the lease `name` until now + ttlMs. True when this process holds it: a
 * single-leader loop (one scanner per chain, one broadcaster per wallet) runs its tick only
 * then, whatever the number of service processes on the database. An expired lease is taken
 * over, so a crashed leader is replaced within ttlMs.
 */
export async function holdLease(store: Store, name: string, nowMs: number, ttlMs: number, holder: string = processHolder): Promise<boolean> {
  const until = nowMs + ttlMs;
  const db = store.db;
  await db.insertInto('worker_leases').values({ name, holder, lease_until: until }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const taken = await db
    .updateTable('worker_leases')
    .set({ holder, lease_until: until })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('holder', '=', holder), eb('lease_until', '<', nowMs)]))
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

/** Gives the lease up (clean shutdown) so another process takes over at once. */
export async function releaseLease(store: Store, name: string, holder: string = processHolder): Promise<void> {
  await store.db.deleteFrom('worker_leases').where('name', '=', name).where('holder', '=', holder).execute();
}
