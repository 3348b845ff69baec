import type { Db } from '../../store/tx.js';

/** A chain address as a scanner's watch set needs it. */
export interface WatchedChainAddress {
  id: number;
  address: string;
}

/** Addresses issued on `chain` with an id above `afterId`, ascending, at most `limit` (the watch set's incremental refresh). */
export async function listChainAddressesAfter(db: Db, options: { chain: string; afterId: number; limit: number }): Promise<WatchedChainAddress[]> {
  const rows = await db
    .selectFrom('chain_addresses')
    .select(['id', 'address'])
    .where('chain', '=', options.chain)
    .where('id', '>', options.afterId)
    .orderBy('id')
    .limit(options.limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), address: r.address }));
}
