import { DepositStatus } from '@openwaas/sdk';
import type { SweepState } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

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
