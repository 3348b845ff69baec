import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Indexes of the operator record lists (GET /withdrawals, GET /deposits: newest first, keyset
 * pages on (created_at, id)) and of a record's timeline. Every list filter that narrows a large
 * table gets an index that also ends in (created_at, id), so a filtered page walks the index in
 * order and stops after one page instead of sorting every matching row: merchant, status.
 * txid, address and request_id are selective on their own (a handful of rows each). The
 * timeline reads a record's notifications by (side, record_id).
 */
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  for (const table of ['withdrawals', 'deposits'] as const) {
    await db.schema.createIndex(`${table}_created_idx`).on(table).columns(['created_at', 'id']).execute();
    await db.schema.createIndex(`${table}_merchant_created_idx`).on(table).columns(['merchant_id', 'created_at', 'id']).execute();
    await db.schema.createIndex(`${table}_status_created_idx`).on(table).columns(['status', 'created_at', 'id']).execute();
    await db.schema.createIndex(`${table}_txid_idx`).on(table).columns(['txid']).execute();
    await db.schema.createIndex(`${table}_address_to_idx`).on(table).columns(['address_to']).execute();
  }
  await db.schema.createIndex('withdrawals_request_id_idx').on('withdrawals').columns(['request_id']).execute();
  await db.schema.createIndex('notifications_record_idx').on('notifications').columns(['side', 'record_id']).execute();
}
