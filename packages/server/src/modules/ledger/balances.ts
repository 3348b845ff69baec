import type { Db } from '../../store/tx.js';
import { listUserAccounts } from './repository.js';

/** A user's balance of every coin it has an account of, in coin id order. */
export async function userBalances(db: Db, uid: number): Promise<Array<{ coinId: number; normal: bigint; lock: bigint }>> {
  const accounts = await listUserAccounts(db, uid);
  return accounts.map((a) => ({ coinId: a.coinId, normal: a.normal, lock: a.lock }));
}
