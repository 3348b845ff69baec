import type { MinerFee, MinerFeeTable, Sweep, SweepState, SweepTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import type { Insertable, Updateable } from 'kysely';

/**
 * The only SQL of the sweeps and miner_fees tables. Rows come back as stored (amounts as
 * decimal strings); ids go in as numbers.
 */

export type NewSweep = Insertable<SweepTable>;
export type SweepUpdate = Updateable<SweepTable>;
export type NewMinerFee = Insertable<MinerFeeTable>;
export type MinerFeeUpdate = Updateable<MinerFeeTable>;

export async function insertSweep(db: Db, values: NewSweep): Promise<number> {
  const row = await db.insertInto('sweeps').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export function findSweepById(db: Db, sweepId: number): Promise<Sweep | undefined> {
  return db.selectFrom('sweeps').selectAll().where('id', '=', sweepId).executeTakeFirst();
}

/** Reads a sweep with its row locked (the caller's transaction moves it on). */
export function lockSweep(db: Db, sweepId: number): Promise<Sweep> {
  return db.selectFrom('sweeps').selectAll().where('id', '=', sweepId).forUpdate().executeTakeFirstOrThrow();
}

/** True when the chain address has a sweep in one of `states`. */
export async function hasSweepInStates(db: Db, filter: { chainAddressId: number; states: readonly SweepState[] }): Promise<boolean> {
  const busy = await db.selectFrom('sweeps').select('id').where('chain_address_id', '=', filter.chainAddressId).where('state', 'in', [...filter.states]).executeTakeFirst();
  return busy !== undefined;
}

/** Sweeps of `chain` waiting for a transaction to be signed (a top-up, or the sweep transaction), oldest first. */
export function listSweepsAwaitingSignature(db: Db, filter: { chain: string; limit: number }): Promise<Sweep[]> {
  return db
    .selectFrom('sweeps')
    .selectAll()
    .where('chain', '=', filter.chain)
    .where((eb) => eb.or([eb('state', '=', 'topup'), eb.and([eb('state', '=', 'sweep_pending'), eb('sweep_tx_id', 'is', null)])]))
    .orderBy('id')
    .limit(filter.limit)
    .execute();
}

/** Changes a sweep the caller holds (locked, or just created). */
export async function updateSweep(db: Db, sweepId: number, set: SweepUpdate): Promise<void> {
  await db.updateTable('sweeps').set(set).where('id', '=', sweepId).execute();
}

/**
 * Changes a sweep only while it is still in `state` (and, with `withoutSweepTx`, has no sweep
 * transaction): returns the row as written, or undefined when it moved on meanwhile.
 */
export function updateSweepIf(db: Db, expected: { id: number; state: SweepState; withoutSweepTx?: boolean }, set: SweepUpdate): Promise<Sweep | undefined> {
  let q = db.updateTable('sweeps').set(set).where('id', '=', expected.id).where('state', '=', expected.state);
  if (expected.withoutSweepTx) q = q.where('sweep_tx_id', 'is', null);
  return q.returningAll().executeTakeFirst();
}

/** Sweeps, newest first. */
export function listSweepPage(db: Db, filter: { chain?: string; state?: SweepState; beforeId?: number; limit: number }): Promise<Sweep[]> {
  let q = db.selectFrom('sweeps').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.chain) q = q.where('chain', '=', filter.chain);
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return q.execute();
}

export async function insertMinerFee(db: Db, values: NewMinerFee): Promise<number> {
  const row = await db.insertInto('miner_fees').values(values).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The miner-fee record of a slot (`slotIds`: every attempt; the record names one of them). */
export function findMinerFeeOfSlot(db: Db, slotIds: readonly number[]): Promise<MinerFee | undefined> {
  if (slotIds.length === 0) return Promise.resolve(undefined);
  return db.selectFrom('miner_fees').selectAll().where('chain_tx_id', 'in', [...slotIds]).executeTakeFirst();
}

/** Changes the miner-fee record(s) of a slot. */
export async function updateMinerFeesOfSlot(db: Db, slotIds: readonly number[], set: MinerFeeUpdate): Promise<void> {
  if (slotIds.length === 0) return;
  await db.updateTable('miner_fees').set(set).where('chain_tx_id', 'in', [...slotIds]).execute();
}

export async function updateMinerFee(db: Db, minerFeeId: number, set: MinerFeeUpdate): Promise<void> {
  await db.updateTable('miner_fees').set(set).where('id', '=', minerFeeId).execute();
}

/** Queries on miner_fees needed by the merchant record lists. */

/** A merchant's miner fees after `maxId`, ascending. */
export function minerFeesAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<MinerFee[]> {
  return db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

/** A merchant's miner fees whose id is one of `ids` (unknown ones left out), ascending. */
export function minerFeesByIds(db: Db, merchantId: number, ids: number[]): Promise<MinerFee[]> {
  return db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).orderBy('id').execute();
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
