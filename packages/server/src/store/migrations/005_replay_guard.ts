import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Envelopes already accepted, per merchant, for as long as their `time` keeps them inside the
 * request window: the replay guard (domain/envelope-replay.ts) refuses one seen on another
 * endpoint. No foreign key: the row is a short-lived fingerprint, and every API call inserts one.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  await db.schema
    .createTable('seen_envelopes')
    .addColumn('merchant_id', big, (c: any) => c.notNull())
    // sha256 (hex) of the decoded ciphertext bytes.
    .addColumn('digest', 'text', (c: any) => c.notNull())
    .addColumn('endpoint', 'text', (c: any) => c.notNull())
    .addColumn('expires_at', big, (c: any) => c.notNull())
    .addColumn('created_at', big, (c: any) => c.notNull())
    .addPrimaryKeyConstraint('seen_envelopes_pk', ['merchant_id', 'digest'])
    .execute();
  await db.schema.createIndex('seen_envelopes_expires_idx').on('seen_envelopes').columns(['expires_at']).execute();
}
