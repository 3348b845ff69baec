import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Change requests (modules/change-requests): a sensitive admin change held until a second
 * admin approves or rejects it. The requested change and the record before it are JSON; the
 * result (or the error that kept it from applying) is written in the transaction that decides it.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  const table = db.schema.createTable('change_requests');
  const withId = dialect === 'postgres' ? table.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : table.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement());
  await withId
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('target', 'text', (c: any) => c.notNull())
    .addColumn('change_json', 'text', (c: any) => c.notNull())
    .addColumn('before_json', 'text')
    .addColumn('requested_by_id', big, (c: any) => c.notNull())
    .addColumn('requested_by_name', 'text', (c: any) => c.notNull())
    .addColumn('state', 'text', (c: any) => c.notNull())
    .addColumn('result_json', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('decided_by_id', big)
    .addColumn('decided_by_name', 'text')
    .addColumn('reason', 'text')
    .addColumn('created_at', big, (c: any) => c.notNull())
    .addColumn('decided_at', big)
    .execute();
  await db.schema.createIndex('change_requests_state_idx').on('change_requests').columns(['state', 'id']).execute();
}
