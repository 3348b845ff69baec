import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * When four eyes for admin changes were first engaged (two enabled admins seen): from then on
 * they stay engaged, so disabling or demoting admins can never bring back one-person changes.
 * One row at most.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const big = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  await db.schema
    .createTable('four_eyes_engaged')
    .addColumn('id', 'integer', (c: any) => c.primaryKey())
    .addColumn('engaged_at', big, (c: any) => c.notNull())
    .execute();
}
