import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Chain state: scanner cursors and the hashes of scanned blocks (reorg detection), outgoing
 * transactions stored before broadcast (crash-safe sends), managed nonces, collection sweeps,
 * operator alerts and worker leases; deposits learn their block and KYT review reason.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const amount = pg ? sql`numeric(78, 0)` : sql`text`;
  const big = pg ? sql`bigint` : sql`integer`;
  const serial = (b: any) => (pg ? b.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : b.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));

  await db.schema
    .createTable('chain_cursors')
    .addColumn('chain', 'text', (c: any) => c.primaryKey())
    // Highest block fully scanned; -1 before the first block.
    .addColumn('scanned_height', big, (c: any) => c.notNull())
    .addColumn('head_height', big, (c: any) => c.notNull().defaultTo(0))
    .addColumn('updated_at', big, (c: any) => c.notNull())
    .execute();

  await db.schema
    .createTable('chain_blocks')
    .addColumn('chain', 'text', (c: any) => c.notNull())
    .addColumn('number', big, (c: any) => c.notNull())
    .addColumn('hash', 'text', (c: any) => c.notNull())
    .addColumn('parent_hash', 'text', (c: any) => c.notNull())
    .addPrimaryKeyConstraint('chain_blocks_pk', ['chain', 'number'])
    .execute();

  await db.schema.alterTable('deposits').addColumn('block_number', big).execute();
  await db.schema.alterTable('deposits').addColumn('block_hash', 'text', (c: any) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('deposits').addColumn('review_reason', 'text', (c: any) => c.notNull().defaultTo('')).execute();
  // The sweep that moved this deposit's funds to the hot wallet (null until swept).
  await db.schema.alterTable('deposits').addColumn('sweep_id', big).execute();
  await db.schema.createIndex('deposits_status_idx').on('deposits').columns(['status', 'coin_id']).execute();

  await db.schema.alterTable('withdrawals').addColumn('kyt_reason', 'text', (c: any) => c.notNull().defaultTo('')).execute();

  await serial(db.schema.createTable('chain_txs'))
    .addColumn('chain', 'text', (c: any) => c.notNull())
    // withdrawal | sweep | topup
    .addColumn('purpose', 'text', (c: any) => c.notNull())
    .addColumn('ref_id', big, (c: any) => c.notNull())
    .addColumn('from_address', 'text', (c: any) => c.notNull())
    .addColumn('to_address', 'text', (c: any) => c.notNull())
    .addColumn('nonce', big, (c: any) => c.notNull())
    // Native value in wei (the token amount lives in `data`).
    .addColumn('value', amount, (c: any) => c.notNull())
    .addColumn('data', 'text', (c: any) => c.notNull().defaultTo('0x'))
    .addColumn('gas_limit', amount, (c: any) => c.notNull())
    .addColumn('max_fee_per_gas', amount, (c: any) => c.notNull())
    .addColumn('max_priority_fee_per_gas', amount, (c: any) => c.notNull())
    // The signed, serialized transaction, stored before it is first broadcast.
    .addColumn('raw', 'text', (c: any) => c.notNull())
    .addColumn('hash', 'text', (c: any) => c.notNull())
    // signed | broadcast | mined | confirmed | reverted | replaced | dropped
    .addColumn('state', 'text', (c: any) => c.notNull())
    .addColumn('replaces_id', big)
    .addColumn('block_number', big)
    .addColumn('block_hash', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('gas_used', amount, (c: any) => c.notNull().defaultTo('0'))
    .addColumn('fee', amount, (c: any) => c.notNull().defaultTo('0'))
    .addColumn('broadcasts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('broadcast_at', big, (c: any) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c: any) => c.notNull())
    .addColumn('updated_at', big, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('chain_txs_hash_uq').on('chain_txs').columns(['chain', 'hash']).unique().execute();
  await db.schema.createIndex('chain_txs_ref_idx').on('chain_txs').columns(['purpose', 'ref_id']).execute();
  await db.schema.createIndex('chain_txs_state_idx').on('chain_txs').columns(['chain', 'state']).execute();
  await db.schema.createIndex('chain_txs_nonce_idx').on('chain_txs').columns(['chain', 'from_address', 'nonce']).execute();

  await db.schema
    .createTable('chain_nonces')
    .addColumn('chain', 'text', (c: any) => c.notNull())
    .addColumn('address', 'text', (c: any) => c.notNull())
    // The next nonce this service will assign from `address`.
    .addColumn('next_nonce', big, (c: any) => c.notNull())
    .addPrimaryKeyConstraint('chain_nonces_pk', ['chain', 'address'])
    .execute();

  await serial(db.schema.createTable('sweeps'))
    .addColumn('chain', 'text', (c: any) => c.notNull())
    .addColumn('merchant_id', big, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('coin_id', big, (c: any) => c.notNull().references('coins.id'))
    .addColumn('chain_address_id', big, (c: any) => c.notNull().references('chain_addresses.id'))
    .addColumn('address', 'text', (c: any) => c.notNull())
    .addColumn('amount', amount, (c: any) => c.notNull())
    // topup | topup_pending | sweep_pending | done | failed
    .addColumn('state', 'text', (c: any) => c.notNull())
    .addColumn('topup_tx_id', big)
    .addColumn('sweep_tx_id', big)
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_at', big, (c: any) => c.notNull())
    .addColumn('updated_at', big, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('sweeps_state_idx').on('sweeps').columns(['chain', 'state']).execute();
  await db.schema.createIndex('sweeps_address_idx').on('sweeps').columns(['chain_address_id', 'coin_id']).execute();

  await db.schema.alterTable('miner_fees').addColumn('sweep_id', big).execute();
  await db.schema.alterTable('miner_fees').addColumn('chain_tx_id', big).execute();

  await serial(db.schema.createTable('operator_alerts'))
    // e.g. hot-wallet-low, reorg-after-credit, sweep-failed
    .addColumn('kind', 'text', (c: any) => c.notNull())
    // Deduplication key: an open alert with the same key is updated, not repeated.
    .addColumn('key', 'text', (c: any) => c.notNull())
    .addColumn('message', 'text', (c: any) => c.notNull())
    .addColumn('count', 'integer', (c: any) => c.notNull().defaultTo(1))
    .addColumn('created_at', big, (c: any) => c.notNull())
    .addColumn('updated_at', big, (c: any) => c.notNull())
    .addColumn('resolved_at', big)
    .execute();
  await db.schema.createIndex('operator_alerts_open_idx').on('operator_alerts').columns(['key', 'resolved_at']).execute();

  await db.schema
    .createTable('worker_leases')
    .addColumn('name', 'text', (c: any) => c.primaryKey())
    .addColumn('holder', 'text', (c: any) => c.notNull())
    .addColumn('lease_until', big, (c: any) => c.notNull())
    .execute();
}
