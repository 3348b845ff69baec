import type { Coin } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

/** Coins configured on `chain`, in id order. */
export function listCoinsOfChain(db: Db, chain: string): Promise<Coin[]> {
  return db.selectFrom('coins').selectAll().where('chain', '=', chain).orderBy('id').execute();
}

/** The chain's native coin (no contract address; the oldest when several), or undefined. */
export function findNativeCoin(db: Db, chain: string): Promise<Coin | undefined> {
  return db.selectFrom('coins').selectAll().where('chain', '=', chain).where('contract_address', '=', '').orderBy('id').executeTakeFirst();
}
