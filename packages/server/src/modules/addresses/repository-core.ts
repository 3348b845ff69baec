/** Queries on chain_addresses needed by the transfers module (internal settlement). */
import type { Db } from '../../store/tx.js';

/** The issued address on `chain` stored under one of `addresses` (its lookup forms), with its owner. */
export async function findChainAddressOwner(db: Db, input: { chain: string; addresses: string[] }): Promise<{ merchantId: number; uid: number; address: string } | undefined> {
  const row = await db
    .selectFrom('chain_addresses')
    .select(['merchant_id', 'uid', 'address'])
    .where('chain', '=', input.chain)
    .where('address', 'in', input.addresses)
    .executeTakeFirst();
  return row && { merchantId: Number(row.merchant_id), uid: Number(row.uid), address: row.address };
}
