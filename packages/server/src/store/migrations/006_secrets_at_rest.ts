import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Secrets at rest: merchants.wallet_private_key holds "v1:…" ciphertext under the data key
 * (keys/data-key.ts) instead of a PEM. A migration cannot know the data key, so it only adds
 * `data_keys`, the fingerprint of the key the database's secrets are encrypted under; the
 * first start after the upgrade (or the first CLI command that unlocks the key) records it and
 * encrypts every plaintext row left, in one transaction (domain/data-keys.ts).
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  await db.schema
    .createTable('data_keys')
    .addColumn('key_id', 'text', (c: any) => c.primaryKey())
    .addColumn('created_at', big, (c: any) => c.notNull())
    .execute();
}
