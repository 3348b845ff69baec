/** The transfers table: the only SQL that touches it. */
import type { Insertable } from 'kysely';
import type { Transfer, TransferTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

export function findTransferByRequestId(db: Db, input: { fromMerchantId: number; requestId: string }): Promise<Transfer | undefined> {
  return db.selectFrom('transfers').selectAll().where('from_merchant_id', '=', input.fromMerchantId).where('request_id', '=', input.requestId).executeTakeFirst();
}

export function insertTransfer(db: Db, values: Insertable<TransferTable>): Promise<Transfer> {
  return db.insertInto('transfers').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Transfers by request_id — the sender's own key, so only those this merchant sent — or by
 * receipt, either side's. Ascending by id.
 */
export function transfersByIds(db: Db, merchantId: number, input: { idsType: 'request_id' | 'receipt'; ids: string[] }): Promise<Transfer[]> {
  let query = db.selectFrom('transfers').selectAll();
  if (input.idsType === 'request_id') {
    query = query.where('from_merchant_id', '=', merchantId).where('request_id', 'in', input.ids);
  } else {
    query = query.where((eb) => eb.or([eb('from_merchant_id', '=', merchantId), eb('to_merchant_id', '=', merchantId)])).where('receipt', 'in', input.ids);
  }
  return query.orderBy('id').execute();
}

/** Transfers this merchant sent or received, after `maxId`, ascending. */
export function transfersAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<Transfer[]> {
  return db
    .selectFrom('transfers')
    .selectAll()
    .where((eb) => eb.or([eb('from_merchant_id', '=', q.merchantId), eb('to_merchant_id', '=', q.merchantId)]))
    .where('id', '>', q.maxId)
    .orderBy('id')
    .limit(q.limit)
    .execute();
}
