import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Coins: the address-link template of the coin's block explorer (beside `explorer`, the
 * transaction-link template), and one rule for symbol case: symbols are matched
 * case-insensitively, so two coins may not differ only by case — a unique index on the
 * upper-cased symbol (an expression index on both SQLite and PostgreSQL) says so in the store.
 */
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('coins').addColumn('address_explorer', 'text', (c: any) => c.notNull().defaultTo('')).execute();
  await sql`create unique index coins_symbol_folded_uq on coins (upper(symbol))`.execute(db);
}
