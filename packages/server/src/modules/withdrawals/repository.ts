import type { NewWithdrawal, Withdrawal, WithdrawalUpdate } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { WithdrawStatus, WithdrawType } from '@openwaas/sdk';

/**
 * The only SQL of the withdrawals and blacklist tables. Rows come back as stored (amounts as
 * decimal strings: callers convert them with BigInt); ids go in as numbers.
 */

/** One withdrawal by id, or undefined. */
export function findWithdrawalById(db: Db, withdrawalId: number): Promise<Withdrawal | undefined> {
  return db.selectFrom('withdrawals').selectAll().where('id', '=', withdrawalId).executeTakeFirst();
}

/** Withdrawals by id (any order); unknown ids are left out. */
export function findWithdrawalsByIds(db: Db, withdrawalIds: readonly number[]): Promise<Withdrawal[]> {
  if (withdrawalIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('withdrawals').selectAll().where('id', 'in', [...withdrawalIds]).execute();
}

/** Reads a withdrawal inside a transaction with its row locked (the one lock of a withdrawal's state changes). */
export function lockWithdrawal(db: Db, withdrawalId: number): Promise<Withdrawal | undefined> {
  return db.selectFrom('withdrawals').selectAll().where('id', '=', withdrawalId).forUpdate().executeTakeFirst();
}

/** The merchant's withdrawal of `requestId`, or undefined. */
export function findWithdrawalByRequestId(db: Db, key: { merchantId: number; requestId: string }): Promise<Withdrawal | undefined> {
  return db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', key.merchantId).where('request_id', '=', key.requestId).executeTakeFirst();
}

/** Inserts a withdrawal; the unique (merchant_id, request_id) index refuses a twin. */
export function insertWithdrawal(db: Db, values: NewWithdrawal): Promise<Withdrawal> {
  return db.insertInto('withdrawals').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Changes a withdrawal the caller holds locked; returns the row as written. */
export function updateWithdrawal(db: Db, withdrawalId: number, set: WithdrawalUpdate): Promise<Withdrawal> {
  return db.updateTable('withdrawals').set(set).where('id', '=', withdrawalId).returningAll().executeTakeFirstOrThrow();
}

/**
 * Changes a withdrawal only while its status (and, when given, its txid) are still the ones
 * read: undefined means another transition won.
 */
export function updateWithdrawalIf(db: Db, expected: { id: number; status: number; txid?: string }, set: WithdrawalUpdate): Promise<Withdrawal | undefined> {
  let q = db.updateTable('withdrawals').set(set).where('id', '=', expected.id).where('status', '=', expected.status);
  if (expected.txid !== undefined) q = q.where('txid', '=', expected.txid);
  return q.returningAll().executeTakeFirst();
}

/** Withdrawals in `statuses`, oldest first, `limit` after `afterId`. */
export function listWithdrawalsByStatus(db: Db, filter: { statuses: readonly number[]; afterId: number; limit: number }): Promise<Withdrawal[]> {
  return db
    .selectFrom('withdrawals')
    .selectAll()
    .where('status', 'in', [...filter.statuses])
    .where('id', '>', filter.afterId)
    .orderBy('id')
    .limit(filter.limit)
    .execute();
}

/** Unsigned withdrawals of the given coins in `status` and `withdrawType`, oldest first. */
export function listUnsignedWithdrawals(db: Db, filter: { coinIds: readonly number[]; status: number; withdrawType: number; limit: number }): Promise<Withdrawal[]> {
  if (filter.coinIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('withdrawals')
    .selectAll()
    .where('coin_id', 'in', [...filter.coinIds])
    .where('status', '=', filter.status)
    .where('withdraw_type', '=', filter.withdrawType)
    .where('txid', '=', '')
    .orderBy('id')
    .limit(filter.limit)
    .execute();
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
export function markWithdrawalSettledInternally(db: Db, input: { id: number; fromStatus: number; txid: string; nowMs: number }): Promise<Withdrawal | undefined> {
  return db
    .updateTable('withdrawals')
    .set({ status: WithdrawStatus.Succeeded, withdraw_type: WithdrawType.Internal, real_fee: '0', txid: input.txid, updated_at: input.nowMs })
    .where('id', '=', input.id)
    .where('status', '=', input.fromStatus)
    .returningAll()
    .executeTakeFirst();
}

/** A merchant's withdrawals after `maxId`, ascending. */
export function withdrawalsAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<Withdrawal[]> {
  return db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

/** The merchant's withdrawals whose request_id is one of `requestIds` (unknown ones left out). */
export function withdrawalsByRequestIds(db: Db, merchantId: number, requestIds: string[]): Promise<Withdrawal[]> {
  return db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', merchantId).where('request_id', 'in', requestIds).orderBy('id').execute();
}

/** Ids of unsigned withdrawals awaiting screening (status 7), oldest first, at most `limit`. */
export async function listAwaitingKytWithdrawalIds(db: Db, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('withdrawals').select('id').where('status', '=', WithdrawStatus.AwaitingKyt).where('txid', '=', '').orderBy('id').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}

/** The withdrawal with `id`. */
export function findWithdrawal(db: Db, id: number): Promise<Withdrawal | undefined> {
  return db.selectFrom('withdrawals').selectAll().where('id', '=', id).executeTakeFirst();
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
export function pageWithdrawals(
  db: Db,
  q: {
    filter: { merchantId?: number; symbol?: string; statuses?: readonly number[]; fromMs?: number; toMs?: number; requestId?: string; addresses?: readonly string[]; txid?: string };
    before?: { createdAt: number; id: number };
    limit: number;
  },
): Promise<Withdrawal[]> {
  const f = q.filter;
  let s = db.selectFrom('withdrawals').selectAll();
  if (f.merchantId !== undefined) s = s.where('merchant_id', '=', f.merchantId);
  if (f.symbol !== undefined) s = s.where('symbol', '=', f.symbol);
  if (f.statuses !== undefined && f.statuses.length > 0) s = f.statuses.length === 1 ? s.where('status', '=', f.statuses[0]!) : s.where('status', 'in', [...f.statuses]);
  if (f.fromMs !== undefined) s = s.where('created_at', '>=', f.fromMs);
  if (f.toMs !== undefined) s = s.where('created_at', '<', f.toMs);
  if (f.requestId !== undefined) s = s.where('request_id', '=', f.requestId);
  if (f.addresses !== undefined) s = s.where('address_to', 'in', f.addresses.length > 0 ? [...f.addresses] : ['']);
  if (f.txid !== undefined) s = s.where('txid', '=', f.txid);
  const before = q.before;
  if (before !== undefined) s = s.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(before.createdAt, before.id)));
  return s.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

/** Inserts many withdrawals, `chunk` rows per statement (seeding and imports; no status logic runs). */
export async function insertWithdrawalRows(db: Db, rows: readonly NewWithdrawal[], chunk: number): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) await db.insertInto('withdrawals').values(rows.slice(i, i + chunk)).execute();
}
