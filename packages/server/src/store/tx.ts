import type { Kysely, Transaction } from 'kysely';
import type { Store } from './db.js';
import type { Database } from './schema.js';

/** A query handle: the database or an open transaction. */
export type Db = Kysely<Database> | Transaction<Database>;
export type Tx = Transaction<Database>;

/**
 * Runs `fn` in one database transaction: a record's state change, the money it moves and
 * its outbox notification commit together or not at all. On SQLite the single connection
 * serialises transactions; on PostgreSQL rows are locked with FOR UPDATE where it matters.
 */
export function inTransaction<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return store.db.transaction().execute(fn);
}
