/** Queries on withdrawals needed by the transfers module (internal settlement) and the merchant record lists. */
import { WithdrawStatus, WithdrawType } from '@openwaas/sdk';
import type { Withdrawal } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

/**
 * Marks withdrawal `id` paid by a ledger-only settlement (status 5, internal, no miner fee),
 * only if it is still at `fromStatus`; returns the row, or undefined when its status moved.
 */
export function markWithdrawalSettledInternally(db: Db, input: { id: number; fromStatus: number; txid: string; nowMs: number }): Promise<Withdrawal | undefined> {
  return db
    .updateTable('withdrawals')
    .set({ status: WithdrawStatus.Succeeded, withdraw_type: WithdrawType.Internal, real_fee: '0', txid: input.txid, updated_at: input.nowMs })
    .where('id', '=', input.id)
    .where('status', '=', input.fromStatus)
    .returningAll()
    .executeTakeFirst();
}

/** A merchant's withdrawals after `maxId`, ascending. */
export function withdrawalsAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<Withdrawal[]> {
  return db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

/** The merchant's withdrawals whose request_id is one of `requestIds` (unknown ones left out). */
export function withdrawalsByRequestIds(db: Db, merchantId: number, requestIds: string[]): Promise<Withdrawal[]> {
  return db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', merchantId).where('request_id', 'in', requestIds).orderBy('id').execute();
}
