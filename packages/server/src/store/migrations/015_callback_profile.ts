import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * A merchant's callback profile (modules/merchants): how the integer fields of the payloads
 * the service sends it (second-confirmation requests, notifications) are typed in their JSON.
 * 'strings' (the seeds' type, the default for every existing merchant) or 'numbers' (for
 * clients that decode them into integers, such as the vendor's Go SDK).
 */
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('merchants')
    .addColumn('callback_profile', 'text', (c: any) => c.notNull().defaultTo('strings').check(sql`callback_profile in ('strings', 'numbers')`))
    .execute();
}
