import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * What stops a chain's scanner, where operators (and `chain status`) read it: the node's last
 * error, the block it was reading, since when that block fails and when it last failed.
 * Cleared by the next step that succeeds.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  await db.schema.alterTable('chain_cursors').addColumn('last_error', 'text').execute();
  await db.schema.alterTable('chain_cursors').addColumn('error_block', big).execute();
  await db.schema.alterTable('chain_cursors').addColumn('error_since', big).execute();
  await db.schema.alterTable('chain_cursors').addColumn('error_at', big).execute();
}
