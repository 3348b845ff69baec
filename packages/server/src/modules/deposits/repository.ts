/**
 * The only SQL on the deposits module's tables: deposits, chain_cursors (the scanners' cursors
 * and recorded faults), chain_blocks (the hashes of scanned blocks) and treasury_receipts.
 * Deposits and receipts cross this boundary as `DepositRecord` and `TreasuryReceiptRecord`:
 * the row's columns with the amount in BigInt base units and ids as numbers; inserts take the
 * amount in BigInt too. Decimal strings exist only in the columns (and at the API and operator
 * edges). Ids, heights and times go in and come back as numbers.
 */
import { blockRowsPerInsertMax, lookupChunkMax } from '../../limits.js';
import type { Deposit, DepositTable, SweepState, TreasuryReceipt, TreasuryReceiptTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { DepositStatus } from '@openwaas/sdk';
import { sql, type Insertable } from 'kysely';

/** A deposit as the module hands it out (amount: base units of its coin). */
export type DepositRecord = Omit<Deposit, 'amount'> & { amount: bigint };
export type NewDepositRecord = Omit<Insertable<DepositTable>, 'amount'> & { amount: bigint };
/** A treasury receipt as the module hands it out (amount: base units of its coin). */
export type TreasuryReceiptRecord = Omit<TreasuryReceipt, 'amount'> & { amount: bigint };
export type NewTreasuryReceiptRecord = Omit<Insertable<TreasuryReceiptTable>, 'amount'> & { amount: bigint };

function toDeposit(row: Deposit): DepositRecord {
  return { ...row, id: Number(row.id), merchant_id: Number(row.merchant_id), uid: Number(row.uid), coin_id: Number(row.coin_id), amount: BigInt(row.amount) };
}

const toDepositOrUndefined = (row: Deposit | undefined) => (row === undefined ? undefined : toDeposit(row));

function toReceipt(row: TreasuryReceipt): TreasuryReceiptRecord {
  return { ...row, id: Number(row.id), coin_id: Number(row.coin_id), amount: BigInt(row.amount) };
}

// ---- deposits -------------------------------------------------------------------------------

/** Stored deposits of `coinIds` among the transactions `txids` (looked up in chunks). */
export async function findDepositsOfTransactions(db: Db, input: { txids: readonly string[]; coinIds: readonly number[] }): Promise<DepositRecord[]> {
  const out: DepositRecord[] = [];
  const txids = [...new Set(input.txids)];
  const coinIds = [...new Set(input.coinIds)];
  if (coinIds.length === 0) return out;
  for (let i = 0; i < txids.length; i += lookupChunkMax) {
    const rows = await db.selectFrom('deposits').selectAll().where('txid', 'in', txids.slice(i, i + lookupChunkMax)).where('coin_id', 'in', coinIds).execute();
    out.push(...rows.map(toDeposit));
  }
  return out;
}

/** Inserts a deposit; undefined when (coin, txid, index) is stored already (another scanner won). */
export async function insertDeposit(db: Db, values: NewDepositRecord): Promise<DepositRecord | undefined> {
  const row = await db
    .insertInto('deposits')
    .values({ ...values, amount: values.amount.toString() })
    .onConflict((oc) => oc.columns(['coin_id', 'txid', 'tx_index']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return toDepositOrUndefined(row);
}

/** The deposit with `id`. */
export async function findDeposit(db: Db, id: number): Promise<DepositRecord | undefined> {
  return toDepositOrUndefined(await db.selectFrom('deposits').selectAll().where('id', '=', id).executeTakeFirst());
}

/** The deposit with `id`, its row locked until the transaction ends. */
export async function lockDeposit(db: Db, id: number): Promise<DepositRecord | undefined> {
  return toDepositOrUndefined(await db.selectFrom('deposits').selectAll().where('id', '=', id).forUpdate().executeTakeFirst());
}

/** A deposit of transaction `txid` (any coin, any index). */
export function findDepositByTxid(db: Db, txid: string): Promise<Pick<Deposit, 'id' | 'status'> | undefined> {
  return db.selectFrom('deposits').select(['id', 'status']).where('txid', '=', txid).executeTakeFirst();
}

/**
 * Changes deposit `id` only while its status is still `fromStatus` (the compare-and-set every
 * status change relies on); the row as written, or undefined when the status had moved.
 */
export async function updateDepositIfStatus(
  db: Db,
  input: { id: number; fromStatus: number; set: Partial<Pick<Deposit, 'status' | 'review_reason' | 'to_collection' | 'updated_at' | 'confirmations' | 'block_number' | 'block_hash'>> },
): Promise<DepositRecord | undefined> {
  return toDepositOrUndefined(await db.updateTable('deposits').set(input.set).where('id', '=', input.id).where('status', '=', input.fromStatus).returningAll().executeTakeFirst());
}

/** Changes deposit `id` whatever its status; the row as written. */
export async function updateDeposit(db: Db, input: { id: number; set: Partial<Pick<Deposit, 'to_collection' | 'block_number' | 'block_hash' | 'confirmations'>> }): Promise<DepositRecord> {
  return toDeposit(await db.updateTable('deposits').set(input.set).where('id', '=', input.id).returningAll().executeTakeFirstOrThrow());
}

/** Deposits of `coinIds` whose block is above `block`. */
export async function listDepositsAboveBlock(db: Db, input: { coinIds: readonly number[]; block: number }): Promise<DepositRecord[]> {
  if (input.coinIds.length === 0) return [];
  return (await db.selectFrom('deposits').selectAll().where('coin_id', 'in', [...input.coinIds]).where('block_number', '>', input.block).orderBy('id').execute()).map(toDeposit);
}

/** Deposits of `coinIds` in blocks from..to. */
export async function listDepositsInBlocks(db: Db, input: { coinIds: readonly number[]; from: number; to: number }): Promise<DepositRecord[]> {
  if (input.coinIds.length === 0) return [];
  const rows = await db
    .selectFrom('deposits')
    .selectAll()
    .where('coin_id', 'in', [...input.coinIds])
    .where('block_number', '>=', input.from)
    .where('block_number', '<=', input.to)
    .orderBy('id')
    .execute();
  return rows.map(toDeposit);
}

/** Sets the confirmations of deposits awaiting them from the node's head (one statement). */
export async function setConfirmationsFromHead(db: Db, input: { coinIds: readonly number[]; head: number }): Promise<void> {
  if (input.coinIds.length === 0) return;
  const count = sql<number>`${input.head} - block_number + 1`;
  await db
    .updateTable('deposits')
    .set({ confirmations: count })
    .where('status', '=', DepositStatus.Confirming)
    .where('coin_id', 'in', [...input.coinIds])
    .where('block_number', '<=', input.head)
    .where('confirmations', '!=', count)
    .execute();
}

/**
 * Deposits awaiting confirmations that reached their coin's count (`confirmationsByCoin`) in
 * blocks at or below `scannedHeight`, oldest first, at most `limit`.
 */
export async function listDueDeposits(db: Db, input: { confirmationsByCoin: ReadonlyMap<number, number>; scannedHeight: number; limit: number }): Promise<DepositRecord[]> {
  const coins = [...input.confirmationsByCoin];
  if (coins.length === 0) return [];
  const rows = await db
    .selectFrom('deposits')
    .selectAll()
    .where('status', '=', DepositStatus.Confirming)
    .where('block_number', '<=', input.scannedHeight)
    .where((eb) => eb.or(coins.map(([coinId, confirmations]) => eb.and([eb('coin_id', '=', coinId), eb('confirmations', '>=', confirmations)]))))
    .orderBy('id')
    .limit(input.limit)
    .execute();
  return rows.map(toDeposit);
}

/** Deposits in `statuses`, oldest first, up to `limit` after `afterId`. */
export async function listDepositsByStatus(db: Db, input: { statuses: readonly number[]; afterId: number; limit: number }): Promise<DepositRecord[]> {
  return (await db.selectFrom('deposits').selectAll().where('status', 'in', [...input.statuses]).where('id', '>', input.afterId).orderBy('id').limit(input.limit).execute()).map(toDeposit);
}

/** Ids of deposits at `status`, oldest first, at most `limit`. */
export async function listDepositIdsByStatus(db: Db, input: { status: number; limit: number }): Promise<number[]> {
  const rows = await db.selectFrom('deposits').select('id').where('status', '=', input.status).orderBy('id').limit(input.limit).execute();
  return rows.map((r) => Number(r.id));
}

/** Deposits of `coinIds` at `status`. */
export async function countDepositsByStatus(db: Db, input: { coinIds: readonly number[]; status: number }): Promise<number> {
  if (input.coinIds.length === 0) return 0;
  const row = await db
    .selectFrom('deposits')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('coin_id', 'in', [...input.coinIds])
    .where('status', '=', input.status)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * The deposits that count in the circuit-breaker window of `deposit`: the merchant's on-chain
 * deposits of the same coin, not failed, created in (createdAt − windowMs, createdAt], earlier
 * ids first on a tie, the deposit itself excluded.
 */
export interface BreakerWindow {
  merchantId: number;
  coinId: number;
  depositId: number;
  createdAtMs: number;
  windowMs: number;
}

function breakerWindowQuery(db: Db, w: BreakerWindow) {
  return db
    .selectFrom('deposits')
    .where('merchant_id', '=', w.merchantId)
    .where('coin_id', '=', w.coinId)
    .where('status', '!=', DepositStatus.Failed)
    .where('withdrawal_id', 'is', null)
    .where('id', '!=', w.depositId)
    .where('created_at', '>', w.createdAtMs - w.windowMs)
    .where((eb) => eb.or([eb('created_at', '<', w.createdAtMs), eb.and([eb('created_at', '=', w.createdAtMs), eb('id', '<', w.depositId)])]));
}

/** How many deposits the window holds. */
export async function countBreakerWindow(db: Db, window: BreakerWindow): Promise<number> {
  const row = await breakerWindowQuery(db, window)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of the window's deposits (id order, ids above `afterId`), their amounts in BigInt. */
export async function pageBreakerWindow(db: Db, input: { window: BreakerWindow; afterId: number; limit: number }): Promise<Array<{ id: number; amount: bigint }>> {
  const rows = await breakerWindowQuery(db, input.window).select(['id', 'amount']).where('id', '>', input.afterId).orderBy('id').limit(input.limit).execute();
  return rows.map((r) => ({ id: Number(r.id), amount: BigInt(r.amount) }));
}

// ---- chain_cursors --------------------------------------------------------------------------

/** A chain's cursor: the highest scanned block and the head seen with it. */
export async function readCursor(db: Db, chain: string): Promise<{ scannedHeight: number; headHeight: number } | undefined> {
  const row = await db.selectFrom('chain_cursors').select(['scanned_height', 'head_height']).where('chain', '=', chain).executeTakeFirst();
  return row ? { scannedHeight: Number(row.scanned_height), headHeight: Number(row.head_height) } : undefined;
}

/** Creates the chain's cursor unless one exists (another process may create it at the same moment). */
export async function insertCursorIfAbsent(db: Db, input: { chain: string; scannedHeight: number; headHeight: number; nowMs: number }): Promise<void> {
  await db
    .insertInto('chain_cursors')
    .values({ chain: input.chain, scanned_height: input.scannedHeight, head_height: input.headHeight, updated_at: input.nowMs })
    .onConflict((oc) => oc.column('chain').doNothing())
    .execute();
}

/** Moves the cursor from `from` to `to` (compare-and-set); false when it was not at `from`. */
export async function compareAndSetCursor(db: Db, input: { chain: string; from: number; to: number; head: number; nowMs: number }): Promise<boolean> {
  const moved = await db
    .updateTable('chain_cursors')
    .set({ scanned_height: input.to, head_height: input.head, updated_at: input.nowMs })
    .where('chain', '=', input.chain)
    .where('scanned_height', '=', input.from)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

/** Sets the cursor to `target` where it is at `target` or above (`orAbove`) or strictly above; true when a row changed. */
export async function lowerCursor(db: Db, input: { chain: string; target: number; includeEqual: boolean; nowMs: number }): Promise<boolean> {
  const moved = await db
    .updateTable('chain_cursors')
    .set({ scanned_height: input.target, updated_at: input.nowMs })
    .where('chain', '=', input.chain)
    .where('scanned_height', input.includeEqual ? '>=' : '>', input.target)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

/** The fault columns of a chain's cursor row. */
export interface CursorFaultRow {
  scannedHeight: number;
  lastError: string | null;
  errorBlock: number | null;
  errorSinceMs: number | null;
  errorAtMs: number | null;
}

export async function readCursorFault(db: Db, chain: string): Promise<CursorFaultRow | undefined> {
  const row = await db.selectFrom('chain_cursors').select(['scanned_height', 'last_error', 'error_block', 'error_since', 'error_at']).where('chain', '=', chain).executeTakeFirst();
  if (!row) return undefined;
  const num = (v: number | string | bigint | null) => (v === null ? null : Number(v));
  return { scannedHeight: Number(row.scanned_height), lastError: row.last_error, errorBlock: num(row.error_block), errorSinceMs: num(row.error_since), errorAtMs: num(row.error_at) };
}

export async function writeCursorFault(db: Db, input: { chain: string; error: string; block: number; sinceMs: number; atMs: number }): Promise<void> {
  await db.updateTable('chain_cursors').set({ last_error: input.error, error_block: input.block, error_since: input.sinceMs, error_at: input.atMs }).where('chain', '=', input.chain).execute();
}

export async function clearCursorFault(db: Db, chain: string): Promise<void> {
  await db.updateTable('chain_cursors').set({ last_error: null, error_block: null, error_since: null, error_at: null }).where('chain', '=', chain).where('last_error', 'is not', null).execute();
}

// ---- chain_blocks ---------------------------------------------------------------------------

/** The stored hash of block `number`. */
export async function readBlockHash(db: Db, input: { chain: string; number: number }): Promise<string | undefined> {
  const row = await db.selectFrom('chain_blocks').select('hash').where('chain', '=', input.chain).where('number', '=', input.number).executeTakeFirst();
  return row?.hash;
}

/** Stored block hashes at or below `number`, highest first. */
export async function listBlockHashesDown(db: Db, input: { chain: string; atOrBelow: number }): Promise<Array<{ number: number; hash: string }>> {
  const rows = await db.selectFrom('chain_blocks').select(['number', 'hash']).where('chain', '=', input.chain).where('number', '<=', input.atOrBelow).orderBy('number', 'desc').execute();
  return rows.map((r) => ({ number: Number(r.number), hash: r.hash }));
}

/** Replaces the stored hashes of blocks from..to by `blocks` (written in chunks). */
export async function replaceBlockHashes(db: Db, input: { chain: string; from: number; to: number; blocks: ReadonlyArray<{ number: number; hash: string; parentHash: string }> }): Promise<void> {
  await db.deleteFrom('chain_blocks').where('chain', '=', input.chain).where('number', '>=', input.from).where('number', '<=', input.to).execute();
  for (let i = 0; i < input.blocks.length; i += blockRowsPerInsertMax) {
    const rows = input.blocks.slice(i, i + blockRowsPerInsertMax).map((b) => ({ chain: input.chain, number: b.number, hash: b.hash, parent_hash: b.parentHash }));
    await db.insertInto('chain_blocks').values(rows).execute();
  }
}

/** Forgets the hashes of blocks at or below `atOrBelow` (older than the reorg window). */
export async function deleteBlockHashesUpTo(db: Db, input: { chain: string; atOrBelow: number }): Promise<void> {
  await db.deleteFrom('chain_blocks').where('chain', '=', input.chain).where('number', '<=', input.atOrBelow).execute();
}

/** Forgets the hashes of blocks above `above` (reorganised away). */
export async function deleteBlockHashesAbove(db: Db, input: { chain: string; above: number }): Promise<void> {
  await db.deleteFrom('chain_blocks').where('chain', '=', input.chain).where('number', '>', input.above).execute();
}

// ---- treasury_receipts ----------------------------------------------------------------------

/** Stored receipts of the transactions `txids`. */
export async function findReceiptsOfTransactions(db: Db, txids: readonly string[]): Promise<TreasuryReceiptRecord[]> {
  return (await db.selectFrom('treasury_receipts').selectAll().where('txid', 'in', [...new Set(txids)]).execute()).map(toReceipt);
}

/** Inserts a receipt; its id, or undefined when (coin, txid, index) is stored already. */
export async function insertReceipt(db: Db, values: NewTreasuryReceiptRecord): Promise<number | undefined> {
  const row = await db
    .insertInto('treasury_receipts')
    .values({ ...values, amount: values.amount.toString() })
    .onConflict((oc) => oc.columns(['coin_id', 'txid', 'tx_index']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/** Changes receipt `id` (its block, its state) while its state is `fromState`, when given; true when it changed. */
export async function updateReceipt(
  db: Db,
  input: { id: number; fromState?: TreasuryReceipt['state']; set: Partial<Pick<TreasuryReceipt, 'state' | 'block_number' | 'block_hash' | 'updated_at'>> },
): Promise<boolean> {
  let q = db.updateTable('treasury_receipts').set(input.set).where('id', '=', input.id);
  if (input.fromState !== undefined) q = q.where('state', '=', input.fromState);
  const done = await q.executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/** Credited receipts of `chain` in blocks above `block`. */
export async function listReceiptsAboveBlock(db: Db, input: { chain: string; block: number }): Promise<TreasuryReceiptRecord[]> {
  return (await db.selectFrom('treasury_receipts').selectAll().where('chain', '=', input.chain).where('block_number', '>', input.block).where('state', '=', 'credited').orderBy('id').execute()).map(toReceipt);
}

/** Credited receipts of `chain` in blocks from..to. */
export async function listReceiptsInBlocks(db: Db, input: { chain: string; from: number; to: number }): Promise<TreasuryReceiptRecord[]> {
  const rows = await db
    .selectFrom('treasury_receipts')
    .selectAll()
    .where('chain', '=', input.chain)
    .where('block_number', '>=', input.from)
    .where('block_number', '<=', input.to)
    .where('state', '=', 'credited')
    .orderBy('id')
    .execute();
  return rows.map(toReceipt);
}

/** Queries on deposits needed by the transfers module (internal settlement) and the merchant record lists. */


/** A merchant's deposits after `maxId`, ascending. */
export async function depositsAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<DepositRecord[]> {
  return (await db.selectFrom('deposits').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute()).map(toDeposit);
}

/** A merchant's deposits whose id is one of `ids` (unknown ones left out), ascending. */
export async function depositsByIds(db: Db, merchantId: number, ids: number[]): Promise<DepositRecord[]> {
  return (await db.selectFrom('deposits').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).orderBy('id').execute()).map(toDeposit);
}

/** One deposit address of a chain holding an unswept credited deposit of a coin. */
export interface SweepCandidateRow {
  chainAddressId: number;
  address: string;
  merchantId: number;
  hdIndex: number;
  coinId: number;
}

/**
 * Deposit addresses of `chain` with credited on-chain deposits no sweep collected yet, per coin,
 * leaving out addresses with a sweep in `busyStates`; in address order, at most `limit` rows.
 * One query (deposits with their address, coin and any sweep in flight), so the page is never
 * filled with busy addresses.
 */
export async function listSweepCandidates(db: Db, filter: { chain: string; busyStates: readonly SweepState[]; limit: number }): Promise<SweepCandidateRow[]> {
  const rows = await db
    .selectFrom('deposits as d')
    .innerJoin('chain_addresses as a', (j) => j.onRef('a.address', '=', 'd.address_to').on('a.chain', '=', filter.chain))
    .innerJoin('coins as c', (j) => j.onRef('c.id', '=', 'd.coin_id').on('c.chain', '=', filter.chain))
    .select(['a.id as chain_address_id', 'a.address', 'a.merchant_id', 'a.hd_index', 'd.coin_id'])
    .distinct()
    .where('d.status', '=', DepositStatus.Succeeded)
    .where('d.block_number', 'is not', null)
    .where('d.sweep_id', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('sweeps as s')
            .select('s.id')
            .whereRef('s.chain_address_id', '=', 'a.id')
            .where('s.state', 'in', [...filter.busyStates]),
        ),
      ),
    )
    .orderBy('a.id')
    .limit(filter.limit)
    .execute();
  return rows.map((r) => ({ chainAddressId: Number(r.chain_address_id), address: r.address, merchantId: Number(r.merchant_id), hdIndex: Number(r.hd_index), coinId: Number(r.coin_id) }));
}

/** Marks every on-chain deposit of `coinId` to `address` final at `confirmedBlock` and not yet collected as collected by `sweepId`. */
export async function markDepositsSwept(db: Db, input: { sweepId: number; coinId: number; address: string; confirmedBlock: number }): Promise<void> {
  await db
    .updateTable('deposits')
    .set({ sweep_id: input.sweepId })
    .where('coin_id', '=', input.coinId)
    .where('address_to', '=', input.address)
    .where('block_number', 'is not', null)
    .where('block_number', '<=', input.confirmedBlock)
    .where('sweep_id', 'is', null)
    .execute();
}

/** Amounts of the deposits of `coinId` seen up to `block` but not yet confirmed. */
export async function listConfirmingDepositAmounts(db: Db, filter: { coinId: number; block: number }): Promise<bigint[]> {
  const rows = await db
    .selectFrom('deposits')
    .select('amount')
    .where('coin_id', '=', filter.coinId)
    .where('status', '=', DepositStatus.Confirming)
    .where('block_number', 'is not', null)
    .where('block_number', '<=', filter.block)
    .execute();
  return rows.map((r) => BigInt(r.amount));
}

/** The scanner's cursor on `chain` (last block scanned), or undefined before the first scan. */
export async function findScannedHeight(db: Db, chain: string): Promise<number | undefined> {
  const cursor = await db.selectFrom('chain_cursors').select('scanned_height').where('chain', '=', chain).executeTakeFirst();
  return cursor ? Number(cursor.scanned_height) : undefined;
}

/** Deposits in any of `statuses`, of every coin. */
export async function countDepositsInStatuses(db: Db, statuses: readonly number[]): Promise<number> {
  if (statuses.length === 0) return 0;
  const row = await db.selectFrom('deposits').select((eb) => eb.fn.countAll<number | string>().as('n')).where('status', 'in', [...statuses]).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Deposits at `status` whose last change (updated_at) is in [fromMs, toMs), above `afterId` in
 * id order, at most `limit`: coin, amount in base units, when.
 */
export async function listDepositAmountsChangedIn(
  db: Db,
  input: { status: number; fromMs: number; toMs: number; afterId: number; limit: number },
): Promise<Array<{ id: number; coinId: number; amount: bigint; atMs: number }>> {
  const rows = await db
    .selectFrom('deposits')
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

// ---- the operator record list of deposits (GET /deposits) and its bulk insert ---------------

/**
 * One page of deposits, newest first by (created_at, id), strictly before `before` when given,
 * at most `limit` rows. Each filter narrows by an indexed column (migration 014); the order is
 * an index's order, so a page stops after `limit` rows whatever the table's size.
 */
export async function pageDeposits(
  db: Db,
  q: {
    filter: { merchantId?: number; symbol?: string; statuses?: readonly number[]; fromMs?: number; toMs?: number; addresses?: readonly string[]; txid?: string };
    before?: { createdAt: number; id: number };
    limit: number;
  },
): Promise<DepositRecord[]> {
  const f = q.filter;
  let s = db.selectFrom('deposits').selectAll();
  if (f.merchantId !== undefined) s = s.where('merchant_id', '=', f.merchantId);
  // Symbols match case-insensitively (the records carry the coin's configured case).
  if (f.symbol !== undefined) s = s.where(sql<boolean>`upper(symbol) = upper(${f.symbol})`);
  if (f.statuses !== undefined && f.statuses.length > 0) s = f.statuses.length === 1 ? s.where('status', '=', f.statuses[0]!) : s.where('status', 'in', [...f.statuses]);
  if (f.fromMs !== undefined) s = s.where('created_at', '>=', f.fromMs);
  if (f.toMs !== undefined) s = s.where('created_at', '<', f.toMs);
  if (f.addresses !== undefined) s = s.where('address_to', 'in', f.addresses.length > 0 ? [...f.addresses] : ['']);
  if (f.txid !== undefined) s = s.where('txid', '=', f.txid);
  const before = q.before;
  if (before !== undefined) s = s.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(before.createdAt, before.id)));
  return (await s.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()).map(toDeposit);
}

/** Inserts many deposits, `chunk` rows per statement (seeding and imports; nothing is credited). */
export async function insertDepositRows(db: Db, rows: readonly NewDepositRecord[], chunk: number): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) await db.insertInto('deposits').values(rows.slice(i, i + chunk).map((r) => ({ ...r, amount: r.amount.toString() }))).execute();
}
