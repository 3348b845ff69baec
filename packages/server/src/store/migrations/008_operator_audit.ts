import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * The operator audit trail (modules/operator-audit): one row per operator action, each holding
 * the hash of the one before it, and a single head row naming the last entry. Appending locks
 * the head row, so two processes on one database never fork the chain. Ids are given by the
 * appender (the head's last id + 1), never by a sequence, so a gap means a deleted entry.
 * Journals gain the operator who posted them by hand (manual adjustments name their actor).
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  await db.schema
    .createTable('operator_audit')
    .addColumn('id', big, (c: any) => c.primaryKey())
    .addColumn('at', big, (c: any) => c.notNull())
    .addColumn('operator_id', big, (c: any) => c.notNull())
    .addColumn('operator_name', 'text', (c: any) => c.notNull())
    // JSON array of role names, as hashed.
    .addColumn('roles', 'text', (c: any) => c.notNull())
    .addColumn('action', 'text', (c: any) => c.notNull())
    .addColumn('target', 'text', (c: any) => c.notNull())
    // Canonical JSON (sorted keys) of the record before and after, as hashed; null where none.
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .addColumn('outcome', 'text', (c: any) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('source_ip', 'text', (c: any) => c.notNull())
    .addColumn('prev_hash', 'text', (c: any) => c.notNull())
    .addColumn('hash', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_audit_operator_idx').on('operator_audit').columns(['operator_id', 'id']).execute();
  await db.schema.createIndex('operator_audit_action_idx').on('operator_audit').columns(['action', 'id']).execute();
  await db.schema.createIndex('operator_audit_target_idx').on('operator_audit').columns(['target', 'id']).execute();
  await db.schema.createIndex('operator_audit_at_idx').on('operator_audit').columns(['at']).execute();

  await db.schema
    .createTable('operator_audit_head')
    .addColumn('id', 'integer', (c: any) => c.primaryKey())
    .addColumn('last_id', big, (c: any) => c.notNull())
    .addColumn('last_hash', 'text', (c: any) => c.notNull())
    .execute();
  // The genesis: no entry yet, and the previous hash of entry 1 (64 zeros).
  await db.insertInto('operator_audit_head').values({ id: 1, last_id: 0, last_hash: '0'.repeat(64) }).execute();

  await db.schema.alterTable('journals').addColumn('operator_id', big).execute();
  await db.schema.alterTable('journals').addColumn('operator_name', 'text').execute();
}
