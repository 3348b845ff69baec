/** Queries on miner_fees needed by the merchant record lists. */
import type { MinerFee } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

/** A merchant's miner fees after `maxId`, ascending. */
export function minerFeesAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<MinerFee[]> {
  return db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

/** A merchant's miner fees whose id is one of `ids` (unknown ones left out), ascending. */
export function minerFeesByIds(db: Db, merchantId: number, ids: number[]): Promise<MinerFee[]> {
  return db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).orderBy('id').execute();
}
