import type { Db } from '../../store/tx.js';
import { deleteLease, insertLeaseIfMissing, takeLease } from './repository.js';

/**
 * Takes or renews the lease `name` for `holder` until now + ttlMs; true when `holder` holds it.
 * An expired lease is taken over, so a crashed holder is replaced within ttlMs.
 */
export async function acquireLease(db: Db, lease: { name: string; holder: string; nowMs: number; ttlMs: number }): Promise<boolean> {
  const untilMs = lease.nowMs + lease.ttlMs;
  await insertLeaseIfMissing(db, { name: lease.name, holder: lease.holder, untilMs });
  return takeLease(db, { name: lease.name, holder: lease.holder, untilMs, nowMs: lease.nowMs });
}

/** Gives lease `name` up if `holder` holds it (clean shutdown), so another process takes over at once. */
export function giveUpLease(db: Db, lease: { name: string; holder: string }): Promise<void> {
  return deleteLease(db, lease);
}
