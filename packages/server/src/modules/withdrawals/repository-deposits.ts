/** Queries on withdrawals the KYT loop needs (folded into withdrawals/repository.ts at merge). */
import { WithdrawStatus } from '@openwaas/sdk';
import type { Withdrawal } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

/** Ids of unsigned withdrawals awaiting screening (status 7), oldest first, at most `limit`. */
export async function listAwaitingKytWithdrawalIds(db: Db, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('withdrawals').select('id').where('status', '=', WithdrawStatus.AwaitingKyt).where('txid', '=', '').orderBy('id').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}

/** The withdrawal with `id`. */
export function findWithdrawal(db: Db, id: number): Promise<Withdrawal | undefined> {
  return db.selectFrom('withdrawals').selectAll().where('id', '=', id).executeTakeFirst();
}
