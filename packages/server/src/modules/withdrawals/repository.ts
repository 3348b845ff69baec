import { sql } from 'kysely';
import type { NewWithdrawal, Withdrawal, WithdrawalUpdate } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { WithdrawStatus, WithdrawType } from '@openwaas/sdk';

/**
 * The only SQL of the withdrawals, blacklist and withdrawal_approvals tables. Withdrawals cross
 * this boundary as `WithdrawalRecord`: the row's columns with amount, withdraw_fee and real_fee
 * in BigInt base units and ids as numbers; inserts and updates take amounts in BigInt too.
 * Decimal strings exist only in the columns (and at the API and operator edges).
 */

/** The amount columns of a withdrawal: base units of its coin (withdraw_fee: of the fee coin; real_fee: of the chain's native coin). */
type WithdrawalAmountField = 'amount' | 'withdraw_fee' | 'real_fee';

/** A withdrawal as the module hands it out. */
export type WithdrawalRecord = Omit<Withdrawal, WithdrawalAmountField> & Record<WithdrawalAmountField, bigint>;
export type NewWithdrawalRecord = Omit<NewWithdrawal, WithdrawalAmountField> & Record<WithdrawalAmountField, bigint>;
export type WithdrawalRecordUpdate = Omit<WithdrawalUpdate, WithdrawalAmountField> & Partial<Record<WithdrawalAmountField, bigint>>;

function toWithdrawal(row: Withdrawal): WithdrawalRecord {
  return {
    ...row,
    id: Number(row.id),
    merchant_id: Number(row.merchant_id),
    uid: Number(row.uid),
    coin_id: Number(row.coin_id),
    amount: BigInt(row.amount),
    withdraw_fee: BigInt(row.withdraw_fee),
    real_fee: BigInt(row.real_fee),
  };
}

const toWithdrawalOrUndefined = (row: Withdrawal | undefined) => (row === undefined ? undefined : toWithdrawal(row));

/** An update as the store takes it: amounts as decimal strings, fields left undefined unchanged. */
function toUpdateColumns(set: WithdrawalRecordUpdate): WithdrawalUpdate {
  const { amount, withdraw_fee, real_fee, ...others } = set;
  return { ...others, amount: amount?.toString(), withdraw_fee: withdraw_fee?.toString(), real_fee: real_fee?.toString() };
}

/** One withdrawal by id, or undefined. */
export async function findWithdrawalById(db: Db, withdrawalId: number): Promise<WithdrawalRecord | undefined> {
  return toWithdrawalOrUndefined(await db.selectFrom('withdrawals').selectAll().where('id', '=', withdrawalId).executeTakeFirst());
}

/** Withdrawals by id (any order); unknown ids are left out. */
export async function findWithdrawalsByIds(db: Db, withdrawalIds: readonly number[]): Promise<WithdrawalRecord[]> {
  if (withdrawalIds.length === 0) return [];
  return (await db.selectFrom('withdrawals').selectAll().where('id', 'in', [...withdrawalIds]).execute()).map(toWithdrawal);
}

/** Reads a withdrawal inside a transaction with its row locked (the one lock of a withdrawal's state changes). */
export async function lockWithdrawal(db: Db, withdrawalId: number): Promise<WithdrawalRecord | undefined> {
  return toWithdrawalOrUndefined(await db.selectFrom('withdrawals').selectAll().where('id', '=', withdrawalId).forUpdate().executeTakeFirst());
}

/** The merchant's withdrawal of `requestId`, or undefined. */
export async function findWithdrawalByRequestId(db: Db, key: { merchantId: number; requestId: string }): Promise<WithdrawalRecord | undefined> {
  return toWithdrawalOrUndefined(await db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', key.merchantId).where('request_id', '=', key.requestId).executeTakeFirst());
}

/** Inserts a withdrawal; the unique (merchant_id, request_id) index refuses a twin. */
export async function insertWithdrawal(db: Db, values: NewWithdrawalRecord): Promise<WithdrawalRecord> {
  const columns = { ...values, amount: values.amount.toString(), withdraw_fee: values.withdraw_fee.toString(), real_fee: values.real_fee.toString() };
  return toWithdrawal(await db.insertInto('withdrawals').values(columns).returningAll().executeTakeFirstOrThrow());
}

/** Changes a withdrawal the caller holds locked; returns the row as written. */
export async function updateWithdrawal(db: Db, withdrawalId: number, set: WithdrawalRecordUpdate): Promise<WithdrawalRecord> {
  return toWithdrawal(await db.updateTable('withdrawals').set(toUpdateColumns(set)).where('id', '=', withdrawalId).returningAll().executeTakeFirstOrThrow());
}

/**
 * Changes a withdrawal only while its status (and, when given, its txid) are still the ones
 * read: undefined means another transition won.
 */
export async function updateWithdrawalIf(db: Db, expected: { id: number; status: number; txid?: string }, set: WithdrawalRecordUpdate): Promise<WithdrawalRecord | undefined> {
  let q = db.updateTable('withdrawals').set(toUpdateColumns(set)).where('id', '=', expected.id).where('status', '=', expected.status);
  if (expected.txid !== undefined) q = q.where('txid', '=', expected.txid);
  return toWithdrawalOrUndefined(await q.returningAll().executeTakeFirst());
}

/** Withdrawals in `statuses`, oldest first, `limit` after `afterId`. */
export async function listWithdrawalsByStatus(db: Db, filter: { statuses: readonly number[]; afterId: number; limit: number }): Promise<WithdrawalRecord[]> {
  const rows = await db
    .selectFrom('withdrawals')
    .selectAll()
    .where('status', 'in', [...filter.statuses])
    .where('id', '>', filter.afterId)
    .orderBy('id')
    .limit(filter.limit)
    .execute();
  return rows.map(toWithdrawal);
}

/** Unsigned withdrawals of the given coins in `status` and `withdrawType`, oldest first. */
export async function listUnsignedWithdrawals(db: Db, filter: { coinIds: readonly number[]; status: number; withdrawType: number; limit: number }): Promise<WithdrawalRecord[]> {
  if (filter.coinIds.length === 0) return [];
  const rows = await db
    .selectFrom('withdrawals')
    .selectAll()
    .where('coin_id', 'in', [...filter.coinIds])
    .where('status', '=', filter.status)
    .where('withdraw_type', '=', filter.withdrawType)
    .where('txid', '=', '')
    .orderBy('id')
    .limit(filter.limit)
    .execute();
  return rows.map(toWithdrawal);
}

/**
 * Claims an unsigned withdrawal in `status` for its transaction (txid set): false when it was
 * cancelled or claimed meanwhile (a concurrent cancel and the claim cannot both win).
 */
export async function claimWithdrawalTxid(db: Db, claim: { id: number; status: number; txid: string; addressFrom: string; nowMs: number }): Promise<boolean> {
  const result = await db
    .updateTable('withdrawals')
    .set({ txid: claim.txid, address_from: claim.addressFrom, updated_at: claim.nowMs })
    .where('id', '=', claim.id)
    .where('status', '=', claim.status)
    .where('txid', '=', '')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Count-only progress of a withdrawal in `status`: its confirmations and the txid of the attempt mined; no write when unchanged. */
export async function recordWithdrawalProgress(db: Db, progress: { id: number; status: number; confirmations: number; txid: string }): Promise<void> {
  await db
    .updateTable('withdrawals')
    .set({ confirmations: progress.confirmations, txid: progress.txid })
    .where('id', '=', progress.id)
    .where('status', '=', progress.status)
    .where((eb) => eb.or([eb('confirmations', '!=', progress.confirmations), eb('txid', '!=', progress.txid)]))
    .execute();
}

/** True when any of `addresses` (already lower-cased) is blacklisted. */
export async function anyBlacklisted(db: Db, addresses: readonly string[]): Promise<boolean> {
  if (addresses.length === 0) return false;
  const hit = await db.selectFrom('blacklist').select('id').where('address', 'in', [...addresses]).executeTakeFirst();
  return hit !== undefined;
}

/** A blacklist row as stored. */
export interface BlacklistRow {
  address: string;
  reason: string;
  created_at: number;
}

/** Adds an address, or updates the reason of one already listed. */
export async function upsertBlacklistEntry(db: Db, entry: { address: string; reason: string; nowMs: number }): Promise<BlacklistRow> {
  await db
    .insertInto('blacklist')
    .values({ address: entry.address, reason: entry.reason, created_at: entry.nowMs })
    .onConflict((oc) => oc.column('address').doUpdateSet({ reason: entry.reason }))
    .execute();
  const row = await db.selectFrom('blacklist').select(['address', 'reason', 'created_at']).where('address', '=', entry.address).executeTakeFirstOrThrow();
  return { ...row, created_at: Number(row.created_at) };
}

/** Removes an address; returns how many rows went (0 or 1). */
export async function deleteBlacklistEntry(db: Db, address: string): Promise<number> {
  const result = await db.deleteFrom('blacklist').where('address', '=', address).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Listed addresses, oldest first, at most `limit`. */
export async function listBlacklistEntries(db: Db, limit: number): Promise<BlacklistRow[]> {
  const rows = await db.selectFrom('blacklist').select(['address', 'reason', 'created_at']).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}

/** Queries on withdrawals needed by the transfers module (internal settlement) and the merchant record lists. */

/**
 * Marks withdrawal `id` paid by a ledger-only settlement (status 5, internal, no miner fee),
 * only if it is still at `fromStatus`; returns the row, or undefined when its status moved.
 */
export async function markWithdrawalSettledInternally(db: Db, input: { id: number; fromStatus: number; txid: string; nowMs: number }): Promise<WithdrawalRecord | undefined> {
  const row = await db
    .updateTable('withdrawals')
    .set({ status: WithdrawStatus.Succeeded, withdraw_type: WithdrawType.Internal, real_fee: '0', txid: input.txid, updated_at: input.nowMs })
    .where('id', '=', input.id)
    .where('status', '=', input.fromStatus)
    .returningAll()
    .executeTakeFirst();
  return toWithdrawalOrUndefined(row);
}

/** A merchant's withdrawals after `maxId`, ascending. */
export async function withdrawalsAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<WithdrawalRecord[]> {
  return (await db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute()).map(toWithdrawal);
}

/** The merchant's withdrawals whose request_id is one of `requestIds` (unknown ones left out). */
export async function withdrawalsByRequestIds(db: Db, merchantId: number, requestIds: string[]): Promise<WithdrawalRecord[]> {
  return (await db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', merchantId).where('request_id', 'in', requestIds).orderBy('id').execute()).map(toWithdrawal);
}

/** Ids of unsigned withdrawals awaiting screening (status 7), oldest first, at most `limit`. */
export async function listAwaitingKytWithdrawalIds(db: Db, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('withdrawals').select('id').where('status', '=', WithdrawStatus.AwaitingKyt).where('txid', '=', '').orderBy('id').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}


/** Review decisions recorded on withdrawals (withdrawal_approvals). */

/** One review decision as stored. */
export interface ApprovalRecordRow {
  withdrawal_id: number;
  side: 'saas' | 'company';
  decision: 'approve' | 'reject';
  operator_id: number;
  operator_name: string;
  source_ip: string;
  reason: string;
  created_at: number;
}

/** Records one decision (the unique index refuses the same operator's second approval of a side). */
export async function insertApprovalRecord(db: Db, row: ApprovalRecordRow): Promise<void> {
  await db.insertInto('withdrawal_approvals').values(row).execute();
}

/** The decisions on withdrawals `withdrawalIds`, oldest first, at most `perWithdrawalMax` each. */
export async function listApprovalRecords(db: Db, withdrawalIds: readonly number[], perWithdrawalMax: number): Promise<ApprovalRecordRow[]> {
  if (withdrawalIds.length === 0) return [];
  const rows = await db
    .selectFrom('withdrawal_approvals')
    .select(['withdrawal_id', 'side', 'decision', 'operator_id', 'operator_name', 'source_ip', 'reason', 'created_at'])
    .where('withdrawal_id', 'in', [...withdrawalIds])
    .orderBy('id')
    .limit(perWithdrawalMax * withdrawalIds.length)
    .execute();
  return rows.map((r) => ({ ...r, withdrawal_id: Number(r.withdrawal_id), side: r.side as 'saas' | 'company', operator_id: Number(r.operator_id), created_at: Number(r.created_at) }));
}

/** Distinct operators who approved `side` of a withdrawal. */
export async function listApproverIds(db: Db, withdrawalId: number, side: 'saas' | 'company'): Promise<number[]> {
  const rows = await db
    .selectFrom('withdrawal_approvals')
    .select('operator_id')
    .distinct()
    .where('withdrawal_id', '=', withdrawalId)
    .where('side', '=', side)
    .where('decision', '=', 'approve')
    .execute();
  return rows.map((r) => Number(r.operator_id));
}

/**
 * Amounts of the withdrawals of a coin created since `sinceMs`, of one user, of a whole
 * merchant, or both, except those in `excludeStatuses` and `excludeId` (the daily limit and the
 * velocity limits). Summed by the caller in BigInt: SQLite stores amounts as text.
 */
export async function listWithdrawnAmountsSince(
  db: Db,
  filter: ({ merchantId: number; uid?: number } | { merchantId?: number; uid: number }) & { coinId: number; sinceMs: number; excludeStatuses: readonly number[]; excludeId?: number },
): Promise<bigint[]> {
  let q = db
    .selectFrom('withdrawals')
    .select('amount')
    .where('coin_id', '=', filter.coinId)
    .where('created_at', '>=', filter.sinceMs)
    .where('status', 'not in', [...filter.excludeStatuses]);
  if (filter.merchantId !== undefined) q = q.where('merchant_id', '=', filter.merchantId);
  if (filter.uid !== undefined) q = q.where('uid', '=', filter.uid);
  if (filter.excludeId !== undefined) q = q.where('id', '!=', filter.excludeId);
  const rows = await q.execute();
  return rows.map((r) => BigInt(r.amount));
}

/** True when a withdrawal of the merchant to `toCanonical` on the coin's chain reached `paidStatus`. */
export async function hasPaidDestination(db: Db, key: { merchantId: number; coinIds: readonly number[]; toCanonical: string; paidStatus: number }): Promise<boolean> {
  const hit = await db
    .selectFrom('withdrawals')
    .select('id')
    .where('merchant_id', '=', key.merchantId)
    .where('to_canonical', '=', key.toCanonical)
    .where('coin_id', 'in', [...key.coinIds])
    .where('status', '=', key.paidStatus)
    .executeTakeFirst();
  return hit !== undefined;
}

/** created_at of the merchant's first withdrawal to `toCanonical` on the coins given, `excludeId` left out. */
export async function firstWithdrawalToDestinationMs(db: Db, key: { merchantId: number; coinIds: readonly number[]; toCanonical: string; excludeId: number }): Promise<number | undefined> {
  const row = await db
    .selectFrom('withdrawals')
    .select('created_at')
    .where('merchant_id', '=', key.merchantId)
    .where('to_canonical', '=', key.toCanonical)
    .where('coin_id', 'in', [...key.coinIds])
    .where('id', '!=', key.excludeId)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.created_at);
}

/** Withdrawals in any of `statuses`. */
export async function countWithdrawalsInStatuses(db: Db, statuses: readonly number[]): Promise<number> {
  if (statuses.length === 0) return 0;
  const row = await db.selectFrom('withdrawals').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', 'in', [...statuses]).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Withdrawals at `status` whose last change (updated_at) is in [fromMs, toMs), above `afterId`
 * in id order, at most `limit`: coin, amount in base units, when.
 */
export async function listWithdrawalAmountsChangedIn(
  db: Db,
  input: { status: number; fromMs: number; toMs: number; afterId: number; limit: number },
): Promise<Array<{ id: number; coinId: number; amount: bigint; atMs: number }>> {
  const rows = await db
    .selectFrom('withdrawals')
    .select(['id', 'coin_id', 'amount', 'updated_at'])
    .where('status', '=', input.status)
    .where('updated_at', '>=', input.fromMs)
    .where('updated_at', '<', input.toMs)
    .where('id', '>', input.afterId)
    .orderBy('id')
    .limit(input.limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), coinId: Number(r.coin_id), amount: BigInt(r.amount), atMs: Number(r.updated_at) }));
}

/** The operator record list of withdrawals (GET /withdrawals) and its bulk insert. */

/**
 * One page of withdrawals, newest first by (created_at, id), strictly before `before` when
 * given, at most `limit` rows. Each filter narrows by an indexed column (migration 014); the
 * order is an index's order, so a page stops after `limit` rows whatever the table's size.
 */
export async function pageWithdrawals(
  db: Db,
  q: {
    filter: { merchantId?: number; symbol?: string; statuses?: readonly number[]; fromMs?: number; toMs?: number; requestId?: string; addresses?: readonly string[]; txid?: string };
    before?: { createdAt: number; id: number };
    limit: number;
  },
): Promise<WithdrawalRecord[]> {
  const f = q.filter;
  let s = db.selectFrom('withdrawals').selectAll();
  if (f.merchantId !== undefined) s = s.where('merchant_id', '=', f.merchantId);
  // Symbols match case-insensitively (the records carry the coin's configured case).
  if (f.symbol !== undefined) s = s.where(sql<boolean>`upper(symbol) = upper(${f.symbol})`);
  if (f.statuses !== undefined && f.statuses.length > 0) s = f.statuses.length === 1 ? s.where('status', '=', f.statuses[0]!) : s.where('status', 'in', [...f.statuses]);
  if (f.fromMs !== undefined) s = s.where('created_at', '>=', f.fromMs);
  if (f.toMs !== undefined) s = s.where('created_at', '<', f.toMs);
  if (f.requestId !== undefined) s = s.where('request_id', '=', f.requestId);
  if (f.addresses !== undefined) s = s.where('address_to', 'in', f.addresses.length > 0 ? [...f.addresses] : ['']);
  if (f.txid !== undefined) s = s.where('txid', '=', f.txid);
  const before = q.before;
  if (before !== undefined) s = s.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(before.createdAt, before.id)));
  return (await s.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()).map(toWithdrawal);
}

/** Inserts many withdrawals, `chunk` rows per statement (seeding and imports; no status logic runs). */
export async function insertWithdrawalRows(db: Db, rows: readonly NewWithdrawalRecord[], chunk: number): Promise<void> {
  const columns = (r: NewWithdrawalRecord) => ({ ...r, amount: r.amount.toString(), withdraw_fee: r.withdraw_fee.toString(), real_fee: r.real_fee.toString() });
  for (let i = 0; i < rows.length; i += chunk) await db.insertInto('withdrawals').values(rows.slice(i, i + chunk).map(columns)).execute();
}

/** Withdrawals at `status`, counted up to `countMax` (a bounded read: the metrics scrape). */
export async function countWithdrawalsAtStatusUpTo(db: Db, input: { status: number; countMax: number }): Promise<number> {
  const capped = db.selectFrom('withdrawals').select('id').where('status', '=', input.status).limit(input.countMax).as('capped');
  const row = await db.selectFrom(capped).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}
