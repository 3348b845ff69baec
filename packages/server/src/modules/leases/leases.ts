import type { Db } from '../../store/tx.js';
import { deleteLease, insertLeaseIfMissing, listLeaseRows, takeLease } from './repository.js';

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

/** A worker lease as stored: who took it last and until when (expired: nobody holds it now). */
export interface LeaseView {
  name: string;
  holder: string;
  untilMs: number;
  /** Unexpired at `nowMs`. */
  held: boolean;
}

/** The worker leases (one row per loop and chain, so few), at most `limit`, with whether each is held at `nowMs`. */
export async function listLeases(db: Db, input: { nowMs: number; limit: number }): Promise<LeaseView[]> {
  return (await listLeaseRows(db, input.limit)).map((row) => ({ ...row, held: row.untilMs >= input.nowMs }));
}
