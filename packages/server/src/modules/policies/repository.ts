import type { Db } from '../../store/tx.js';

/**
 * The only SQL of the approval_policies, velocity_limits, velocity_locks, destination_settings
 * and allowlisted_destinations tables. merchant_id 0 is the row for every merchant without its
 * own; amounts come back as decimal strings.
 */

/** An approval policy as stored. */
export interface ApprovalPolicyRow {
  merchant_id: number;
  coin_id: number;
  above_amount: string;
  approvals_required: number;
  company_review: number;
  updated_by: string;
  updated_at: number;
}

const approvalColumns = ['merchant_id', 'coin_id', 'above_amount', 'approvals_required', 'company_review', 'updated_by', 'updated_at'] as const;

function approvalRow(r: ApprovalPolicyRow): ApprovalPolicyRow {
  return { ...r, merchant_id: Number(r.merchant_id), coin_id: Number(r.coin_id), above_amount: String(r.above_amount), updated_at: Number(r.updated_at) };
}

/** The policies of a coin for `merchantIds` (the merchant's own and 0). */
export async function findApprovalPolicies(db: Db, key: { coinId: number; merchantIds: readonly number[] }): Promise<ApprovalPolicyRow[]> {
  const rows = await db.selectFrom('approval_policies').select(approvalColumns).where('coin_id', '=', key.coinId).where('merchant_id', 'in', [...key.merchantIds]).execute();
  return rows.map(approvalRow);
}

/** Creates or replaces the policy of (merchant_id, coin_id). */
export async function upsertApprovalPolicy(db: Db, row: ApprovalPolicyRow): Promise<ApprovalPolicyRow> {
  const { merchant_id, coin_id, ...rest } = row;
  await db
    .insertInto('approval_policies')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'coin_id']).doUpdateSet(rest))
    .execute();
  const stored = await db.selectFrom('approval_policies').select(approvalColumns).where('merchant_id', '=', merchant_id).where('coin_id', '=', coin_id).executeTakeFirstOrThrow();
  return approvalRow(stored);
}

/** Deletes the policy of (merchant_id, coin_id); how many rows went (0 or 1). */
export async function deleteApprovalPolicy(db: Db, key: { merchantId: number; coinId: number }): Promise<number> {
  const r = await db.deleteFrom('approval_policies').where('merchant_id', '=', key.merchantId).where('coin_id', '=', key.coinId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Every approval policy, in (merchant_id, coin_id) order, at most `limit`. */
export async function listApprovalPolicyRows(db: Db, limit: number): Promise<ApprovalPolicyRow[]> {
  const rows = await db.selectFrom('approval_policies').select(approvalColumns).orderBy('merchant_id').orderBy('coin_id').limit(limit).execute();
  return rows.map(approvalRow);
}

/** A velocity limit as stored. */
export interface VelocityLimitRow {
  merchant_id: number;
  coin_id: number;
  scope: 'user' | 'merchant';
  window_s: number;
  max_amount: string;
  max_count: number;
  updated_by: string;
  updated_at: number;
}

const velocityColumns = ['merchant_id', 'coin_id', 'scope', 'window_s', 'max_amount', 'max_count', 'updated_by', 'updated_at'] as const;

function velocityRow(r: VelocityLimitRow): VelocityLimitRow {
  return { ...r, merchant_id: Number(r.merchant_id), coin_id: Number(r.coin_id), max_amount: String(r.max_amount), updated_at: Number(r.updated_at) };
}

/** The velocity limits of a coin for `merchantIds` (the merchant's own and 0), by scope and window. */
export async function findVelocityLimits(db: Db, key: { coinId: number; merchantIds: readonly number[] }): Promise<VelocityLimitRow[]> {
  const rows = await db
    .selectFrom('velocity_limits')
    .select(velocityColumns)
    .where('coin_id', '=', key.coinId)
    .where('merchant_id', 'in', [...key.merchantIds])
    .orderBy('scope')
    .orderBy('window_s')
    .execute();
  return rows.map(velocityRow);
}

/** How many limits (merchant_id, coin_id) has. */
export async function countVelocityLimits(db: Db, key: { merchantId: number; coinId: number }): Promise<number> {
  const r = await db.selectFrom('velocity_limits').select((eb) => eb.fn.countAll<number>().as('n')).where('merchant_id', '=', key.merchantId).where('coin_id', '=', key.coinId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Creates or replaces the limit of (merchant_id, coin_id, scope, window_s). */
export async function upsertVelocityLimit(db: Db, row: VelocityLimitRow): Promise<VelocityLimitRow> {
  await db
    .insertInto('velocity_limits')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'coin_id', 'scope', 'window_s']).doUpdateSet({ max_amount: row.max_amount, max_count: row.max_count, updated_by: row.updated_by, updated_at: row.updated_at }))
    .execute();
  const stored = await db
    .selectFrom('velocity_limits')
    .select(velocityColumns)
    .where('merchant_id', '=', row.merchant_id)
    .where('coin_id', '=', row.coin_id)
    .where('scope', '=', row.scope)
    .where('window_s', '=', row.window_s)
    .executeTakeFirstOrThrow();
  return velocityRow(stored);
}

/** Deletes one limit; how many rows went (0 or 1). */
export async function deleteVelocityLimit(db: Db, key: { merchantId: number; coinId: number; scope: string; windowS: number }): Promise<number> {
  const r = await db
    .deleteFrom('velocity_limits')
    .where('merchant_id', '=', key.merchantId)
    .where('coin_id', '=', key.coinId)
    .where('scope', '=', key.scope as 'user' | 'merchant')
    .where('window_s', '=', key.windowS)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Every velocity limit, ordered, at most `limit`. */
export async function listVelocityLimitRows(db: Db, limit: number): Promise<VelocityLimitRow[]> {
  const rows = await db.selectFrom('velocity_limits').select(velocityColumns).orderBy('merchant_id').orderBy('coin_id').orderBy('scope').orderBy('window_s').limit(limit).execute();
  return rows.map(velocityRow);
}

/**
 * Locks the (merchant, coin) row that serialises velocity decisions across the merchant's
 * users, creating it on first use. Only request decisions take it, always after the user's
 * balance rows, so it cannot close a lock cycle.
 */
export async function lockVelocityRow(db: Db, key: { merchantId: number; coinId: number }): Promise<void> {
  await db.insertInto('velocity_locks').values({ merchant_id: key.merchantId, coin_id: key.coinId }).onConflict((oc) => oc.columns(['merchant_id', 'coin_id']).doNothing()).execute();
  await db.selectFrom('velocity_locks').select('merchant_id').where('merchant_id', '=', key.merchantId).where('coin_id', '=', key.coinId).forUpdate().executeTakeFirstOrThrow();
}

/** Destination settings as stored. */
export interface DestinationSettingsRow {
  merchant_id: number;
  allowlist_enabled: number;
  new_address_cooldown_s: number;
  updated_by: string;
  updated_at: number;
}

const destinationColumns = ['merchant_id', 'allowlist_enabled', 'new_address_cooldown_s', 'updated_by', 'updated_at'] as const;

function destinationRow(r: DestinationSettingsRow): DestinationSettingsRow {
  return { ...r, merchant_id: Number(r.merchant_id), updated_at: Number(r.updated_at) };
}

/** The settings rows of `merchantIds` (the merchant's own and 0). */
export async function findDestinationSettings(db: Db, merchantIds: readonly number[]): Promise<DestinationSettingsRow[]> {
  const rows = await db.selectFrom('destination_settings').select(destinationColumns).where('merchant_id', 'in', [...merchantIds]).execute();
  return rows.map(destinationRow);
}

/** Creates or replaces the settings of a merchant (0: every merchant). */
export async function upsertDestinationSettings(db: Db, row: DestinationSettingsRow): Promise<DestinationSettingsRow> {
  const { merchant_id, ...rest } = row;
  await db.insertInto('destination_settings').values(row).onConflict((oc) => oc.column('merchant_id').doUpdateSet(rest)).execute();
  return destinationRow(await db.selectFrom('destination_settings').select(destinationColumns).where('merchant_id', '=', merchant_id).executeTakeFirstOrThrow());
}

/** Deletes the settings of a merchant; how many rows went. */
export async function deleteDestinationSettings(db: Db, merchantId: number): Promise<number> {
  const r = await db.deleteFrom('destination_settings').where('merchant_id', '=', merchantId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Every settings row, at most `limit`. */
export async function listDestinationSettingsRows(db: Db, limit: number): Promise<DestinationSettingsRow[]> {
  const rows = await db.selectFrom('destination_settings').select(destinationColumns).orderBy('merchant_id').limit(limit).execute();
  return rows.map(destinationRow);
}

/** An allowlisted destination as stored. */
export interface AllowlistRow {
  merchant_id: number;
  chain: string;
  address: string;
  label: string;
  created_by: string;
  created_at: number;
}

const allowlistColumns = ['merchant_id', 'chain', 'address', 'label', 'created_by', 'created_at'] as const;

function allowlistRow(r: AllowlistRow): AllowlistRow {
  return { ...r, merchant_id: Number(r.merchant_id), created_at: Number(r.created_at) };
}

/** True when (merchant, chain, canonical address) is listed. */
export async function isAllowlistedRow(db: Db, key: { merchantId: number; chain: string; address: string }): Promise<boolean> {
  const hit = await db.selectFrom('allowlisted_destinations').select('id').where('merchant_id', '=', key.merchantId).where('chain', '=', key.chain).where('address', '=', key.address).executeTakeFirst();
  return hit !== undefined;
}

/** How many destinations a merchant lists. */
export async function countAllowlist(db: Db, merchantId: number): Promise<number> {
  const r = await db.selectFrom('allowlisted_destinations').select((eb) => eb.fn.countAll<number>().as('n')).where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Lists a destination, or updates the label of one already listed. */
export async function upsertAllowlistRow(db: Db, row: AllowlistRow): Promise<AllowlistRow> {
  await db
    .insertInto('allowlisted_destinations')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'chain', 'address']).doUpdateSet({ label: row.label }))
    .execute();
  const stored = await db
    .selectFrom('allowlisted_destinations')
    .select(allowlistColumns)
    .where('merchant_id', '=', row.merchant_id)
    .where('chain', '=', row.chain)
    .where('address', '=', row.address)
    .executeTakeFirstOrThrow();
  return allowlistRow(stored);
}

/** Takes a destination off a merchant's list; how many rows went. */
export async function deleteAllowlistRow(db: Db, key: { merchantId: number; chain: string; address: string }): Promise<number> {
  const r = await db.deleteFrom('allowlisted_destinations').where('merchant_id', '=', key.merchantId).where('chain', '=', key.chain).where('address', '=', key.address).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** A merchant's destinations, oldest first, at most `limit`. */
export async function listAllowlistRows(db: Db, merchantId: number, limit: number): Promise<AllowlistRow[]> {
  const rows = await db.selectFrom('allowlisted_destinations').select(allowlistColumns).where('merchant_id', '=', merchantId).orderBy('id').limit(limit).execute();
  return rows.map(allowlistRow);
}
