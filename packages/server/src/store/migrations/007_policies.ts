import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Four-eyes approvals and spending policies. Withdrawals learn how many distinct reviewers they
 * need (fixed when requested, so a later policy change does not move a decision under way),
 * whether the merchant's side is still reviewed by hand, the spending rules that sent them to
 * review, and their destination in the chain's canonical form (allowlist and first-payment
 * checks compare that form). `withdrawal_approvals` records every review decision with its
 * operator. The policies module owns the rest: approval policies and velocity limits per coin
 * (merchant_id 0 = every merchant without its own row, so no NULL sits in a unique key),
 * destination settings per merchant, allowlisted destinations, and the rows that serialise a
 * merchant's velocity decisions.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const amount = pg ? sql`numeric(78, 0)` : sql`text`;
  const big = pg ? sql`bigint` : sql`integer`;
  const serial = (b: any) => (pg ? b.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : b.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));

  await db.schema.alterTable('withdrawals').addColumn('approvals_required', 'integer', (c: any) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('withdrawals').addColumn('policy_decision', 'text', (c: any) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('withdrawals').addColumn('to_canonical', 'text', (c: any) => c.notNull().defaultTo('')).execute();
  await db.schema.createIndex('withdrawals_merchant_day_idx').on('withdrawals').columns(['merchant_id', 'coin_id', 'created_at']).execute();
  await db.schema.createIndex('withdrawals_destination_idx').on('withdrawals').columns(['merchant_id', 'to_canonical']).execute();

  await serial(db.schema.createTable('withdrawal_approvals'))
    .addColumn('withdrawal_id', big, (c: any) => c.notNull().references('withdrawals.id'))
    .addColumn('side', 'text', (c: any) => c.notNull())
    .addColumn('decision', 'text', (c: any) => c.notNull())
    .addColumn('operator_id', big, (c: any) => c.notNull())
    .addColumn('operator_name', 'text', (c: any) => c.notNull())
    .addColumn('source_ip', 'text', (c: any) => c.notNull())
    .addColumn('reason', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_at', big, (c: any) => c.notNull())
    .execute();
  // One approval per reviewer and side: the row lock decides first, this index is the backstop.
  await db.schema
    .createIndex('withdrawal_approvals_once_uq')
    .on('withdrawal_approvals')
    .columns(['withdrawal_id', 'side', 'decision', 'operator_id'])
    .unique()
    .execute();

  await serial(db.schema.createTable('approval_policies'))
    .addColumn('merchant_id', big, (c: any) => c.notNull())
    .addColumn('coin_id', big, (c: any) => c.notNull())
    .addColumn('above_amount', amount, (c: any) => c.notNull())
    .addColumn('approvals_required', 'integer', (c: any) => c.notNull())
    .addColumn('company_review', 'integer', (c: any) => c.notNull())
    .addColumn('updated_by', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', big, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('approval_policies_uq').on('approval_policies').columns(['merchant_id', 'coin_id']).unique().execute();

  await serial(db.schema.createTable('velocity_limits'))
    .addColumn('merchant_id', big, (c: any) => c.notNull())
    .addColumn('coin_id', big, (c: any) => c.notNull())
    // 'user': each user's withdrawals; 'merchant': all of the merchant's users together.
    .addColumn('scope', 'text', (c: any) => c.notNull())
    .addColumn('window_s', 'integer', (c: any) => c.notNull())
    .addColumn('max_amount', amount, (c: any) => c.notNull())
    .addColumn('max_count', 'integer', (c: any) => c.notNull())
    .addColumn('updated_by', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', big, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('velocity_limits_uq').on('velocity_limits').columns(['merchant_id', 'coin_id', 'scope', 'window_s']).unique().execute();

  await db.schema
    .createTable('velocity_locks')
    .addColumn('merchant_id', big, (c: any) => c.notNull())
    .addColumn('coin_id', big, (c: any) => c.notNull())
    .addPrimaryKeyConstraint('velocity_locks_pk', ['merchant_id', 'coin_id'])
    .execute();

  await db.schema
    .createTable('destination_settings')
    .addColumn('merchant_id', big, (c: any) => c.primaryKey())
    .addColumn('allowlist_enabled', 'integer', (c: any) => c.notNull())
    .addColumn('new_address_cooldown_s', 'integer', (c: any) => c.notNull())
    .addColumn('updated_by', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', big, (c: any) => c.notNull())
    .execute();

  await serial(db.schema.createTable('allowlisted_destinations'))
    .addColumn('merchant_id', big, (c: any) => c.notNull())
    .addColumn('chain', 'text', (c: any) => c.notNull())
    // The chain codec's canonical form (memo kept).
    .addColumn('address', 'text', (c: any) => c.notNull())
    .addColumn('label', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c: any) => c.notNull())
    .addColumn('created_at', big, (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('allowlisted_destinations_uq').on('allowlisted_destinations').columns(['merchant_id', 'chain', 'address']).unique().execute();
}
