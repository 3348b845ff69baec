import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Every delivery attempt of a notification (modules/notifications): when, the merchant's HTTP
 * status (null without an answer), the first bytes of its answer, the error, how long it took.
 * The outbox row keeps only the latest error; this is the history operators read. Plus the
 * indexes the operator overview reads its 30-day window by: deposits and withdrawals by status
 * and last change, notifications by creation.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  const table = db.schema.createTable('notification_attempts');
  const withId = dialect === 'postgres' ? table.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : table.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement());
  await withId
    .addColumn('notification_id', big, (c: any) => c.notNull().references('notifications.id'))
    .addColumn('attempt', 'integer', (c: any) => c.notNull())
    .addColumn('at_ms', big, (c: any) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('answer_excerpt', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('error', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('duration_ms', big, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('notification_attempts_notification_idx').on('notification_attempts').columns(['notification_id', 'attempt']).execute();
  await db.schema.createIndex('deposits_status_updated_idx').on('deposits').columns(['status', 'updated_at']).execute();
  await db.schema.createIndex('withdrawals_status_updated_idx').on('withdrawals').columns(['status', 'updated_at']).execute();
  await db.schema.createIndex('notifications_created_idx').on('notifications').columns(['created_at']).execute();
}
