import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Operator accounts and their credentials: one row per person (roles, a scrypt password hash,
 * a TOTP secret sealed under the data key, the failed-login count behind the account's
 * lockout), and the bearer tokens they act with — login sessions and API tokens, stored as
 * the sha256 of the token only, each with its expiry and, once revoked, when.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  const serial = (b: any) => (dialect === 'postgres' ? b.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : b.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));
  await serial(db.schema.createTable('operators'))
    .addColumn('name', 'text', (c: any) => c.notNull().unique())
    .addColumn('roles', 'text', (c: any) => c.notNull())
    .addColumn('disabled', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('password_hash', 'text', (c: any) => c.notNull())
    .addColumn('totp_secret', 'text', (c: any) => c.notNull())
    .addColumn('totp_last_step', big, (c: any) => c.notNull().defaultTo(0))
    .addColumn('failed_logins', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('last_failure_at', big, (c: any) => c.notNull().defaultTo(0))
    .addColumn('locked_until', big, (c: any) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c: any) => c.notNull())
    .addColumn('updated_at', big, (c: any) => c.notNull())
    .execute();
  await serial(db.schema.createTable('operator_tokens'))
    .addColumn('operator_id', big, (c: any) => c.notNull().references('operators.id'))
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('token_hash', 'text', (c: any) => c.notNull().unique())
    .addColumn('created_at', big, (c: any) => c.notNull())
    .addColumn('expires_at', big, (c: any) => c.notNull())
    .addColumn('revoked_at', big)
    .addColumn('source_ip', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_tokens_by_operator').on('operator_tokens').columns(['operator_id', 'revoked_at']).execute();
}
