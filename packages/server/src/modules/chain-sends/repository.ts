import type { ChainTx, ChainTxPurpose, ChainTxState, ChainTxTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { sql, type Insertable, type Updateable } from 'kysely';

/**
 * The only SQL of the chain_txs (stored outgoing transactions) and chain_sequences tables.
 * Stored transactions cross this boundary as `ChainTxRecord`: the row's columns with value,
 * fee_max and fee in BigInt base units and ids, sequences and block numbers as numbers;
 * inserts and updates take amounts in BigInt too. Decimal strings exist only in the columns
 * (and at the operator edge).
 */

/** The amount columns of a stored transaction: value in base units of its token; fee_max and fee in the chain's native coin. */
type ChainTxAmountField = 'value' | 'fee_max' | 'fee';

/** A stored transaction as the module hands it out. */
export type ChainTxRecord = Omit<ChainTx, ChainTxAmountField> & Record<ChainTxAmountField, bigint>;
export type NewChainTx = Omit<Insertable<ChainTxTable>, ChainTxAmountField> & Record<ChainTxAmountField, bigint>;
export type ChainTxUpdate = Omit<Updateable<ChainTxTable>, ChainTxAmountField> & Partial<Record<ChainTxAmountField, bigint>>;

function toChainTx(row: ChainTx): ChainTxRecord {
  return {
    ...row,
    id: Number(row.id),
    ref_id: Number(row.ref_id),
    sequence: Number(row.sequence),
    replaces_id: row.replaces_id === null ? null : Number(row.replaces_id),
    block_number: row.block_number === null ? null : Number(row.block_number),
    value: BigInt(row.value),
    fee_max: BigInt(row.fee_max),
    fee: BigInt(row.fee),
  };
}

/** An update as the store takes it: amounts as decimal strings, fields left undefined unchanged. */
function toUpdateColumns(set: ChainTxUpdate): Updateable<ChainTxTable> {
  const { value, fee_max, fee, ...others } = set;
  return { ...others, value: value?.toString(), fee_max: fee_max?.toString(), fee: fee?.toString() };
}

/** The next sequence kept for `address` on `chain`, or undefined when it has no row yet. */
export async function findNextSequence(db: Db, key: { chain: string; address: string }): Promise<number | undefined> {
  const row = await db.selectFrom('chain_sequences').select('next_sequence').where('chain', '=', key.chain).where('address', '=', key.address).executeTakeFirst();
  return row ? Number(row.next_sequence) : undefined;
}

/** Locks the sequence row of `address` on `chain` and reads its next sequence (undefined: no row). */
export async function lockNextSequence(db: Db, key: { chain: string; address: string }): Promise<number | undefined> {
  const row = await db.selectFrom('chain_sequences').select('next_sequence').where('chain', '=', key.chain).where('address', '=', key.address).forUpdate().executeTakeFirst();
  return row ? Number(row.next_sequence) : undefined;
}

/** Creates the sequence row of `address` unless another process did first. */
export async function insertSequenceIfAbsent(db: Db, row: { chain: string; address: string; nextSequence: number }): Promise<void> {
  await db
    .insertInto('chain_sequences')
    .values({ chain: row.chain, address: row.address, next_sequence: row.nextSequence })
    .onConflict((oc) => oc.columns(['chain', 'address']).doNothing())
    .execute();
}

/** Sets the next sequence of `address` (its row locked by the caller). */
export async function setNextSequence(db: Db, row: { chain: string; address: string; nextSequence: number }): Promise<void> {
  await db.updateTable('chain_sequences').set({ next_sequence: row.nextSequence }).where('chain', '=', row.chain).where('address', '=', row.address).execute();
}

/** Raises the next sequence of `address` to `atLeast` (never lowers it). */
export async function raiseNextSequence(db: Db, row: { chain: string; address: string; atLeast: number }): Promise<void> {
  await db
    .updateTable('chain_sequences')
    .set({ next_sequence: row.atLeast })
    .where('chain', '=', row.chain)
    .where('address', '=', row.address)
    .where('next_sequence', '<', row.atLeast)
    .execute();
}

/** The highest sequence stored for a sender on `chain`, or undefined when it never sent. */
export async function findTopStoredSequence(db: Db, key: { chain: string; from: string }): Promise<number | undefined> {
  const top = await db
    .selectFrom('chain_txs')
    .select((eb) => eb.fn.max('sequence').as('top'))
    .where('chain', '=', key.chain)
    .where('from_address', '=', key.from)
    .executeTakeFirst();
  return top?.top === null || top?.top === undefined ? undefined : Number(top.top);
}

export async function insertChainTx(db: Db, values: NewChainTx): Promise<ChainTxRecord> {
  const columns = { ...values, value: values.value.toString(), fee_max: values.fee_max.toString(), fee: values.fee.toString() };
  return toChainTx(await db.insertInto('chain_txs').values(columns).returningAll().executeTakeFirstOrThrow());
}

/** Records a refused or failed broadcast on the row. */
export async function recordBroadcastError(db: Db, input: { id: number; lastError: string; nowMs: number }): Promise<void> {
  await db.updateTable('chain_txs').set({ last_error: input.lastError, updated_at: input.nowMs }).where('id', '=', input.id).execute();
}

/** Records a broadcast that reached the node: 'broadcast', broadcasts + 1 (unless the row moved on meanwhile). */
export async function recordBroadcast(db: Db, input: { id: number; nowMs: number }): Promise<void> {
  await db
    .updateTable('chain_txs')
    .set({ state: 'broadcast', broadcasts: sql`broadcasts + 1`, broadcast_at: input.nowMs, last_error: '', updated_at: input.nowMs })
    .where('id', '=', input.id)
    .where('state', 'in', ['signed', 'broadcast'])
    .execute();
}

/** A slot: one sender's sequence, with every attempt at it. */
export interface SlotKey {
  from: string;
  sequence: number;
}

/**
 * Slots of `chain` with a transaction of `purposes` in `states`, in (sender, sequence) order,
 * after `after` when given, at most `limit`.
 */
export async function listSlots(db: Db, filter: { chain: string; purposes: readonly ChainTxPurpose[]; states: readonly ChainTxState[]; after?: SlotKey; limit: number }): Promise<SlotKey[]> {
  let q = db
    .selectFrom('chain_txs')
    .select(['from_address', 'sequence'])
    .where('chain', '=', filter.chain)
    .where('purpose', 'in', [...filter.purposes])
    .where('state', 'in', [...filter.states]);
  const after = filter.after;
  if (after) q = q.where((eb) => eb.or([eb('from_address', '>', after.from), eb.and([eb('from_address', '=', after.from), eb('sequence', '>', after.sequence)])]));
  const rows = await q.groupBy(['from_address', 'sequence']).orderBy('from_address').orderBy('sequence').limit(filter.limit).execute();
  return rows.map((r) => ({ from: r.from_address, sequence: Number(r.sequence) }));
}

/** The attempts at a slot in `states`, oldest first. */
export async function listSlotTxs(db: Db, filter: { chain: string; slot: SlotKey; states: readonly ChainTxState[] }): Promise<ChainTxRecord[]> {
  const rows = await db
    .selectFrom('chain_txs')
    .selectAll()
    .where('chain', '=', filter.chain)
    .where('from_address', '=', filter.slot.from)
    .where('sequence', '=', filter.slot.sequence)
    .where('state', 'in', [...filter.states])
    .orderBy('id')
    .execute();
  return rows.map(toChainTx);
}

/** True when the slot has an attempt newer than `id`, or one no longer in `activeStates`. */
export async function hasNewerAttempt(db: Db, filter: { chain: string; slot: SlotKey; id: number; activeStates: readonly ChainTxState[] }): Promise<boolean> {
  const newer = await db
    .selectFrom('chain_txs')
    .select('id')
    .where('chain', '=', filter.chain)
    .where('from_address', '=', filter.slot.from)
    .where('sequence', '=', filter.slot.sequence)
    .where((eb) => eb.or([eb('id', '>', filter.id), eb('state', 'not in', [...filter.activeStates])]))
    .executeTakeFirst();
  return newer !== undefined;
}

/** Changes rows `ids` that are still in `fromStates`; returns the rows changed. */
export async function updateChainTxs(db: Db, filter: { ids: readonly number[]; fromStates?: readonly ChainTxState[] }, set: ChainTxUpdate): Promise<ChainTxRecord[]> {
  if (filter.ids.length === 0) return [];
  let q = db.updateTable('chain_txs').set(toUpdateColumns(set)).where('id', 'in', [...filter.ids]);
  if (filter.fromStates) q = q.where('state', 'in', [...filter.fromStates]);
  return (await q.returningAll().execute()).map(toChainTx);
}

/** Transactions of `chain` in `states`, optionally only of `purpose` or from `from`. */
export async function listChainTxsInStates(db: Db, filter: { chain: string; states: readonly ChainTxState[]; purpose?: ChainTxPurpose; from?: string }): Promise<ChainTxRecord[]> {
  let q = db.selectFrom('chain_txs').selectAll().where('chain', '=', filter.chain);
  if (filter.purpose !== undefined) q = q.where('purpose', '=', filter.purpose);
  if (filter.from !== undefined) q = q.where('from_address', '=', filter.from);
  return (await q.where('state', 'in', [...filter.states]).execute()).map(toChainTx);
}

/** How many transactions of `chain` are in `states` or were mined after `block`. */
export async function countUnsettledTxs(db: Db, filter: { chain: string; states: readonly ChainTxState[]; afterBlock: number }): Promise<number> {
  const row = await db
    .selectFrom('chain_txs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('chain', '=', filter.chain)
    .where((eb) => eb.or([eb('state', 'in', [...filter.states]), eb('block_number', '>', filter.afterBlock)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Stored transactions, newest first. */
export async function listChainTxPage(
  db: Db,
  filter: { chain?: string; purpose?: ChainTxPurpose; refId?: number; state?: ChainTxState; beforeId?: number; limit: number },
): Promise<ChainTxRecord[]> {
  let q = db.selectFrom('chain_txs').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.chain) q = q.where('chain', '=', filter.chain);
  if (filter.purpose) q = q.where('purpose', '=', filter.purpose);
  if (filter.refId !== undefined) q = q.where('ref_id', '=', filter.refId);
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return (await q.execute()).map(toChainTx);
}

/** Outgoing transactions of `chain` signed, broadcast or mined but not final yet. */
export async function countChainTxsInFlight(db: Db, chain: string): Promise<number> {
  const row = await db
    .selectFrom('chain_txs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('chain', '=', chain)
    .where('state', 'in', ['signed', 'broadcast', 'mined'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
