import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Value that outsiders sent to the hot or fee wallet (the operator's refills): one row per
 * transfer, so a re-scan after a crash or a backfill journals it once, and a reorg can undo it.
 * Deposits learn an index on their block, for the scanner's reorg checks.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const amount = pg ? sql`numeric(78, 0)` : sql`text`;
  const big = pg ? sql`bigint` : sql`integer`;
  const table = pg
    ? db.schema.createTable('treasury_receipts').addColumn('id', 'bigserial', (c: any) => c.primaryKey())
    : db.schema.createTable('treasury_receipts').addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement());

  await table
    .addColumn('chain', 'text', (c: any) => c.notNull())
    .addColumn('coin_id', big, (c: any) => c.notNull().references('coins.id'))
    .addColumn('txid', 'text', (c: any) => c.notNull())
    .addColumn('tx_index', 'text', (c: any) => c.notNull())
    .addColumn('address_from', 'text', (c: any) => c.notNull())
    .addColumn('address_to', 'text', (c: any) => c.notNull())
    .addColumn('amount', amount, (c: any) => c.notNull())
    .addColumn('block_number', big, (c: any) => c.notNull())
    .addColumn('block_hash', 'text', (c: any) => c.notNull())
    // credited: journaled (chain −a, treasury +a); reorged: its block left the chain, journal reversed.
    .addColumn('state', 'text', (c: any) => c.notNull())
    .addColumn('created_at', big, (c: any) => c.notNull())
    .addColumn('updated_at', big, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('treasury_receipts_tx_uq').on('treasury_receipts').columns(['coin_id', 'txid', 'tx_index']).unique().execute();
  await db.schema.createIndex('treasury_receipts_block_idx').on('treasury_receipts').columns(['chain', 'block_number']).execute();

  await db.schema.createIndex('deposits_block_idx').on('deposits').columns(['block_number']).execute();
}
