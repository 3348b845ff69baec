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
 * A store whose handle is already a transaction (an approved change request applying its
 * action, see modules/change-requests) runs `fn` in that transaction: it commits with it.
 */
export function inTransaction<T>(store: Store, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (store.db.isTransaction) return fn(store.db as Tx);
  return store.db.transaction().execute(fn);
}
