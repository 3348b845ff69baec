/** Queries on coins the deposits module needs (folded into coins/repository.ts at merge). */
import type { Coin } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

/** The coins whose `chain` is `chain`, disabled ones included, in id order. */
export function listCoinsOfChain(db: Db, chain: string): Promise<Coin[]> {
  return db.selectFrom('coins').selectAll().where('chain', '=', chain).orderBy('id').execute();
}
