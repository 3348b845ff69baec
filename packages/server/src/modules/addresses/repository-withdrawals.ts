import type { Db } from '../../store/tx.js';

/** Locks a chain address row: concurrent sweepers of one address serialise on it. */
export async function lockChainAddress(db: Db, chainAddressId: number): Promise<void> {
  await db.selectFrom('chain_addresses').select('id').where('id', '=', chainAddressId).forUpdate().executeTakeFirstOrThrow();
}

/** A chain address's address and derivation index. */
export async function findChainAddressById(db: Db, chainAddressId: number): Promise<{ address: string; hdIndex: number }> {
  const row = await db.selectFrom('chain_addresses').select(['hd_index', 'address']).where('id', '=', chainAddressId).executeTakeFirstOrThrow();
  return { address: row.address, hdIndex: Number(row.hd_index) };
}

/** Every deposit address of `chain`, in id order. */
export async function listChainAddresses(db: Db, chain: string): Promise<string[]> {
  const rows = await db.selectFrom('chain_addresses').select('address').where('chain', '=', chain).orderBy('id').execute();
  return rows.map((r) => r.address);
}
