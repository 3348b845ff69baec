import type { MinerFee, MinerFeeTable, Sweep, SweepState, SweepTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import type { Insertable, Updateable } from 'kysely';

/**
 * The only SQL of the sweeps and miner_fees tables. Sweeps cross this boundary as
 * `SweepRecord` (amount in BigInt base units of its coin), miner-fee records as
 * `MinerFeeRecord` (amount: base units of its coin; fee: of the chain's native coin), ids as
 * numbers; inserts and updates take amounts in BigInt too. Decimal strings exist only in the
 * columns (and at the API and operator edges).
 */

/** A sweep as the module hands it out. */
export type SweepRecord = Omit<Sweep, 'amount'> & { amount: bigint };
export type NewSweep = Omit<Insertable<SweepTable>, 'amount'> & { amount: bigint };
export type SweepUpdate = Omit<Updateable<SweepTable>, 'amount'> & { amount?: bigint };

/** The amount columns of a miner-fee record. */
type MinerFeeAmountField = 'amount' | 'fee';

/** A miner-fee record as the module hands it out. */
export type MinerFeeRecord = Omit<MinerFee, MinerFeeAmountField> & Record<MinerFeeAmountField, bigint>;
export type NewMinerFee = Omit<Insertable<MinerFeeTable>, MinerFeeAmountField> & Record<MinerFeeAmountField, bigint>;
export type MinerFeeUpdate = Omit<Updateable<MinerFeeTable>, MinerFeeAmountField> & Partial<Record<MinerFeeAmountField, bigint>>;

const refOrNull = (id: number | null) => (id === null ? null : Number(id));

function toSweep(row: Sweep): SweepRecord {
  return {
    ...row,
    id: Number(row.id),
    merchant_id: Number(row.merchant_id),
    coin_id: Number(row.coin_id),
    chain_address_id: Number(row.chain_address_id),
    topup_tx_id: refOrNull(row.topup_tx_id),
    sweep_tx_id: refOrNull(row.sweep_tx_id),
    amount: BigInt(row.amount),
  };
}

const toSweepOrUndefined = (row: Sweep | undefined) => (row === undefined ? undefined : toSweep(row));

/** A sweep update as the store takes it: the amount as a decimal string, fields left undefined unchanged. */
function toSweepColumns(set: SweepUpdate): Updateable<SweepTable> {
  const { amount, ...others } = set;
  return { ...others, amount: amount?.toString() };
}

function toMinerFee(row: MinerFee): MinerFeeRecord {
  return {
    ...row,
    id: Number(row.id),
    merchant_id: Number(row.merchant_id),
    coin_id: Number(row.coin_id),
    sweep_id: refOrNull(row.sweep_id),
    chain_tx_id: refOrNull(row.chain_tx_id),
    amount: BigInt(row.amount),
    fee: BigInt(row.fee),
  };
}

/** A miner-fee update as the store takes it: amounts as decimal strings, fields left undefined unchanged. */
function toMinerFeeColumns(set: MinerFeeUpdate): Updateable<MinerFeeTable> {
  const { amount, fee, ...others } = set;
  return { ...others, amount: amount?.toString(), fee: fee?.toString() };
}

export async function insertSweep(db: Db, values: NewSweep): Promise<number> {
  const row = await db.insertInto('sweeps').values({ ...values, amount: values.amount.toString() }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findSweepById(db: Db, sweepId: number): Promise<SweepRecord | undefined> {
  return toSweepOrUndefined(await db.selectFrom('sweeps').selectAll().where('id', '=', sweepId).executeTakeFirst());
}

/** Reads a sweep with its row locked (the caller's transaction moves it on). */
export async function lockSweep(db: Db, sweepId: number): Promise<SweepRecord> {
  return toSweep(await db.selectFrom('sweeps').selectAll().where('id', '=', sweepId).forUpdate().executeTakeFirstOrThrow());
}

/** True when the chain address has a sweep in one of `states`. */
export async function hasSweepInStates(db: Db, filter: { chainAddressId: number; states: readonly SweepState[] }): Promise<boolean> {
  const busy = await db.selectFrom('sweeps').select('id').where('chain_address_id', '=', filter.chainAddressId).where('state', 'in', [...filter.states]).executeTakeFirst();
  return busy !== undefined;
}

/** Sweeps of `chain` waiting for a transaction to be signed (a top-up, or the sweep transaction), oldest first. */
export async function listSweepsAwaitingSignature(db: Db, filter: { chain: string; limit: number }): Promise<SweepRecord[]> {
  const rows = await db
    .selectFrom('sweeps')
    .selectAll()
    .where('chain', '=', filter.chain)
    .where((eb) => eb.or([eb('state', '=', 'topup'), eb.and([eb('state', '=', 'sweep_pending'), eb('sweep_tx_id', 'is', null)])]))
    .orderBy('id')
    .limit(filter.limit)
    .execute();
  return rows.map(toSweep);
}

/** Changes a sweep the caller holds (locked, or just created). */
export async function updateSweep(db: Db, sweepId: number, set: SweepUpdate): Promise<void> {
  await db.updateTable('sweeps').set(toSweepColumns(set)).where('id', '=', sweepId).execute();
}

/**
 * Changes a sweep only while it is still in `state` (and, with `withoutSweepTx`, has no sweep
 * transaction): returns the row as written, or undefined when it moved on meanwhile.
 */
export async function updateSweepIf(db: Db, expected: { id: number; state: SweepState; withoutSweepTx?: boolean }, set: SweepUpdate): Promise<SweepRecord | undefined> {
  let q = db.updateTable('sweeps').set(toSweepColumns(set)).where('id', '=', expected.id).where('state', '=', expected.state);
  if (expected.withoutSweepTx) q = q.where('sweep_tx_id', 'is', null);
  return toSweepOrUndefined(await q.returningAll().executeTakeFirst());
}

/** Sweeps, newest first. */
export async function listSweepPage(db: Db, filter: { chain?: string; state?: SweepState; beforeId?: number; limit: number }): Promise<SweepRecord[]> {
  let q = db.selectFrom('sweeps').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.chain) q = q.where('chain', '=', filter.chain);
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return (await q.execute()).map(toSweep);
}

export async function insertMinerFee(db: Db, values: NewMinerFee): Promise<number> {
  const row = await db.insertInto('miner_fees').values({ ...values, amount: values.amount.toString(), fee: values.fee.toString() }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The miner-fee record of a slot (`slotIds`: every attempt; the record names one of them). */
export async function findMinerFeeOfSlot(db: Db, slotIds: readonly number[]): Promise<MinerFeeRecord | undefined> {
  if (slotIds.length === 0) return undefined;
  const row = await db.selectFrom('miner_fees').selectAll().where('chain_tx_id', 'in', [...slotIds]).executeTakeFirst();
  return row === undefined ? undefined : toMinerFee(row);
}

/** Changes the miner-fee record(s) of a slot. */
export async function updateMinerFeesOfSlot(db: Db, slotIds: readonly number[], set: MinerFeeUpdate): Promise<void> {
  if (slotIds.length === 0) return;
  await db.updateTable('miner_fees').set(toMinerFeeColumns(set)).where('chain_tx_id', 'in', [...slotIds]).execute();
}

export async function updateMinerFee(db: Db, minerFeeId: number, set: MinerFeeUpdate): Promise<void> {
  await db.updateTable('miner_fees').set(toMinerFeeColumns(set)).where('id', '=', minerFeeId).execute();
}

/** Queries on miner_fees needed by the merchant record lists. */

/** A merchant's miner fees after `maxId`, ascending. */
export async function minerFeesAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<MinerFeeRecord[]> {
  return (await db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute()).map(toMinerFee);
}

/** A merchant's miner fees whose id is one of `ids` (unknown ones left out), ascending. */
export async function minerFeesByIds(db: Db, merchantId: number, ids: number[]): Promise<MinerFeeRecord[]> {
  return (await db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).orderBy('id').execute()).map(toMinerFee);
}

/** Sweeps of `chain` neither done nor failed. */
export async function countSweepsInFlight(db: Db, chain: string): Promise<number> {
  const row = await db
    .selectFrom('sweeps')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('chain', '=', chain)
    .where('state', 'not in', ['done', 'failed'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
