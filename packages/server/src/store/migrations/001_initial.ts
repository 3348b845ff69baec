import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Column types that differ between the two databases. */
function types(dialect: DialectName) {
  const pg = dialect === 'postgres';
  return {
    // Amounts: any 256-bit integer. SQLite has no such type: decimal text, arithmetic in BigInt.
    amount: pg ? sql`numeric(78, 0)` : sql`text`,
    ms: pg ? sql`bigint` : sql`integer`,
    ref: pg ? sql`bigint` : sql`integer`,
  };
}

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const t = types(dialect);
  const serial = (b: any) =>
    dialect === 'postgres' ? b.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : b.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement());

  await serial(db.schema.createTable('merchants'))
    .addColumn('app_id', 'text', (c: any) => c.notNull().unique())
    .addColumn('name', 'text', (c: any) => c.notNull())
    .addColumn('wallet_private_key', 'text', (c: any) => c.notNull())
    .addColumn('wallet_public_key', 'text', (c: any) => c.notNull())
    .addColumn('merchant_public_key', 'text')
    .addColumn('notify_url', 'text')
    .addColumn('confirm_url', 'text')
    .addColumn('ip_allowlist', 'text', (c: any) => c.notNull().defaultTo('[]'))
    .addColumn('auto_collect', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('user_limit', 'integer', (c: any) => c.notNull().defaultTo(50000))
    .addColumn('active', 'integer', (c: any) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .execute();

  await serial(db.schema.createTable('coins'))
    .addColumn('symbol', 'text', (c: any) => c.notNull().unique())
    .addColumn('name', 'text', (c: any) => c.notNull())
    .addColumn('chain', 'text', (c: any) => c.notNull())
    .addColumn('base_symbol', 'text', (c: any) => c.notNull())
    .addColumn('contract_address', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('decimals', 'integer', (c: any) => c.notNull())
    .addColumn('confirmations', 'integer', (c: any) => c.notNull())
    .addColumn('min_withdraw', t.amount, (c: any) => c.notNull())
    .addColumn('max_withdraw', t.amount, (c: any) => c.notNull())
    .addColumn('withdraw_fee', t.amount, (c: any) => c.notNull())
    .addColumn('withdraw_fee_symbol', 'text', (c: any) => c.notNull())
    .addColumn('auto_approve_max', t.amount, (c: any) => c.notNull())
    .addColumn('daily_limit', t.amount, (c: any) => c.notNull())
    .addColumn('min_deposit', t.amount, (c: any) => c.notNull())
    .addColumn('icon', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('explorer', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c: any) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .execute();

  await db.schema
    .createTable('merchant_coins')
    .addColumn('merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('coin_id', t.ref, (c: any) => c.notNull().references('coins.id'))
    .addPrimaryKeyConstraint('merchant_coins_pk', ['merchant_id', 'coin_id'])
    .execute();

  await serial(db.schema.createTable('users'))
    .addColumn('merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('country', 'text')
    .addColumn('mobile', 'text')
    .addColumn('email', 'text')
    .addColumn('nickname', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('frozen', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('at_risk', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('users_mobile_uq').on('users').columns(['merchant_id', 'country', 'mobile']).unique().execute();
  await db.schema.createIndex('users_email_uq').on('users').columns(['merchant_id', 'email']).unique().execute();

  await serial(db.schema.createTable('chain_addresses'))
    .addColumn('chain', 'text', (c: any) => c.notNull())
    .addColumn('address', 'text', (c: any) => c.notNull())
    .addColumn('merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('uid', t.ref, (c: any) => c.notNull().references('users.id'))
    .addColumn('hd_index', 'integer', (c: any) => c.notNull())
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('chain_addresses_address_uq').on('chain_addresses').columns(['chain', 'address']).unique().execute();
  await db.schema.createIndex('chain_addresses_user_uq').on('chain_addresses').columns(['chain', 'uid']).unique().execute();
  await db.schema.createIndex('chain_addresses_index_uq').on('chain_addresses').columns(['chain', 'hd_index']).unique().execute();

  await serial(db.schema.createTable('user_addresses'))
    .addColumn('merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('uid', t.ref, (c: any) => c.notNull().references('users.id'))
    .addColumn('symbol', 'text', (c: any) => c.notNull())
    .addColumn('chain_address_id', t.ref, (c: any) => c.notNull().references('chain_addresses.id'))
    .addColumn('address', 'text', (c: any) => c.notNull())
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('user_addresses_uq').on('user_addresses').columns(['uid', 'symbol']).unique().execute();
  await db.schema.createIndex('user_addresses_merchant_idx').on('user_addresses').columns(['merchant_id', 'id']).execute();
  await db.schema.createIndex('user_addresses_address_idx').on('user_addresses').columns(['address']).execute();

  await serial(db.schema.createTable('accounts'))
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('merchant_id', t.ref)
    .addColumn('uid', t.ref)
    .addColumn('coin_id', t.ref, (c: any) => c.notNull().references('coins.id'))
    .addColumn('normal', t.amount, (c: any) => c.notNull())
    .addColumn('lock', t.amount, (c: any) => c.notNull())
    .addColumn('key', 'text', (c: any) => c.notNull().unique())
    .execute();

  await serial(db.schema.createTable('journals'))
    .addColumn('ref_type', 'text', (c: any) => c.notNull())
    .addColumn('ref_id', t.ref, (c: any) => c.notNull())
    .addColumn('reason', 'text', (c: any) => c.notNull())
    .addColumn('memo', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('journals_ref_idx').on('journals').columns(['ref_type', 'ref_id']).execute();

  await serial(db.schema.createTable('entries'))
    .addColumn('journal_id', t.ref, (c: any) => c.notNull().references('journals.id'))
    .addColumn('account_id', t.ref, (c: any) => c.notNull().references('accounts.id'))
    .addColumn('coin_id', t.ref, (c: any) => c.notNull())
    .addColumn('bucket', 'text', (c: any) => c.notNull())
    .addColumn('delta', t.amount, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('entries_account_idx').on('entries').columns(['account_id']).execute();
  await db.schema.createIndex('entries_journal_idx').on('entries').columns(['journal_id']).execute();

  await serial(db.schema.createTable('withdrawals'))
    .addColumn('merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('request_id', 'text', (c: any) => c.notNull())
    .addColumn('uid', t.ref, (c: any) => c.notNull())
    .addColumn('coin_id', t.ref, (c: any) => c.notNull())
    .addColumn('symbol', 'text', (c: any) => c.notNull())
    .addColumn('amount', t.amount, (c: any) => c.notNull())
    .addColumn('withdraw_fee', t.amount, (c: any) => c.notNull())
    .addColumn('withdraw_fee_symbol', 'text', (c: any) => c.notNull())
    .addColumn('fee_symbol', 'text', (c: any) => c.notNull())
    .addColumn('real_fee', t.amount, (c: any) => c.notNull())
    .addColumn('address_from', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('address_to', 'text', (c: any) => c.notNull())
    .addColumn('txid', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('confirmations', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('saas_status', 'integer', (c: any) => c.notNull())
    .addColumn('company_status', 'integer', (c: any) => c.notNull())
    .addColumn('status', 'integer', (c: any) => c.notNull())
    .addColumn('withdraw_type', 'integer', (c: any) => c.notNull())
    .addColumn('review_reason', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .addColumn('updated_at', t.ms, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('withdrawals_request_uq').on('withdrawals').columns(['merchant_id', 'request_id']).unique().execute();
  await db.schema.createIndex('withdrawals_merchant_idx').on('withdrawals').columns(['merchant_id', 'id']).execute();
  await db.schema.createIndex('withdrawals_status_idx').on('withdrawals').columns(['status']).execute();
  await db.schema.createIndex('withdrawals_user_day_idx').on('withdrawals').columns(['uid', 'coin_id', 'created_at']).execute();

  await serial(db.schema.createTable('deposits'))
    .addColumn('merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('uid', t.ref, (c: any) => c.notNull())
    .addColumn('coin_id', t.ref, (c: any) => c.notNull())
    .addColumn('symbol', 'text', (c: any) => c.notNull())
    .addColumn('amount', t.amount, (c: any) => c.notNull())
    .addColumn('address_from', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('address_to', 'text', (c: any) => c.notNull())
    .addColumn('txid', 'text', (c: any) => c.notNull())
    .addColumn('tx_index', 'text', (c: any) => c.notNull())
    .addColumn('confirmations', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('status', 'integer', (c: any) => c.notNull())
    .addColumn('to_collection', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('withdrawal_id', t.ref)
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .addColumn('updated_at', t.ms, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('deposits_tx_uq').on('deposits').columns(['coin_id', 'txid', 'tx_index']).unique().execute();
  await db.schema.createIndex('deposits_merchant_idx').on('deposits').columns(['merchant_id', 'id']).execute();

  await serial(db.schema.createTable('miner_fees'))
    .addColumn('merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('coin_id', t.ref, (c: any) => c.notNull())
    .addColumn('symbol', 'text', (c: any) => c.notNull())
    .addColumn('amount', t.amount, (c: any) => c.notNull())
    .addColumn('fee', t.amount, (c: any) => c.notNull())
    .addColumn('address_from', 'text', (c: any) => c.notNull())
    .addColumn('address_to', 'text', (c: any) => c.notNull())
    .addColumn('txid', 'text', (c: any) => c.notNull())
    .addColumn('txid_type', 'text', (c: any) => c.notNull())
    .addColumn('confirmations', 'integer', (c: any) => c.notNull())
    .addColumn('status', 'integer', (c: any) => c.notNull())
    .addColumn('base_symbol', 'text', (c: any) => c.notNull())
    .addColumn('contract_address', 'text', (c: any) => c.notNull())
    .addColumn('email', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .addColumn('updated_at', t.ms, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('miner_fees_merchant_idx').on('miner_fees').columns(['merchant_id', 'id']).execute();

  await serial(db.schema.createTable('transfers'))
    .addColumn('from_merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('to_merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('request_id', 'text', (c: any) => c.notNull())
    .addColumn('receipt', 'text', (c: any) => c.notNull().unique())
    .addColumn('coin_id', t.ref, (c: any) => c.notNull())
    .addColumn('symbol', 'text', (c: any) => c.notNull())
    .addColumn('amount', t.amount, (c: any) => c.notNull())
    .addColumn('remark', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('transfers_request_uq').on('transfers').columns(['from_merchant_id', 'request_id']).unique().execute();

  await serial(db.schema.createTable('blacklist'))
    .addColumn('address', 'text', (c: any) => c.notNull().unique())
    .addColumn('reason', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .execute();

  await serial(db.schema.createTable('notifications'))
    .addColumn('merchant_id', t.ref, (c: any) => c.notNull().references('merchants.id'))
    .addColumn('side', 'text', (c: any) => c.notNull())
    .addColumn('record_id', t.ref, (c: any) => c.notNull())
    .addColumn('payload', 'text', (c: any) => c.notNull())
    .addColumn('state', 'text', (c: any) => c.notNull())
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', t.ms, (c: any) => c.notNull())
    .addColumn('lease_until', t.ms, (c: any) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_at', t.ms, (c: any) => c.notNull())
    .addColumn('delivered_at', t.ms)
    .execute();
  await db.schema.createIndex('notifications_due_idx').on('notifications').columns(['state', 'next_attempt_at']).execute();
}
