import { randomUUID } from 'node:crypto';
import type { Store } from '../store/db.js';
import { acquireLease, giveUpLease } from '../modules/leases/index.js';

/** This process's name in lease rows. */
export const processHolder = `${process.pid}-${randomUUID().slice(0, 8)}`;

/**
 * Takes or renews the lease `name` until now + ttlMs. True when this process holds it: a
 * single-leader loop (one scanner per chain, one broadcaster per wallet) runs its tick only
 * then, whatever the number of service processes on the database. An expired lease is taken
 * over, so a crashed leader is replaced within ttlMs.
 */
export function holdLease(store: Store, name: string, nowMs: number, ttlMs: number, holder: string = processHolder): Promise<boolean> {
  return acquireLease(store.db, { name, holder, nowMs, ttlMs });
}

/** Gives the lease up (clean shutdown) so another process takes over at once. */
export function releaseLease(store: Store, name: string, holder: string = processHolder): Promise<void> {
  return giveUpLease(store.db, { name, holder });
}
