import type { Insertable } from 'kysely';
import type { Transfer, TransferTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

/**
 * The only SQL of the transfers table. Transfers cross this boundary as `TransferRecord`: the
 * row's columns with amount in BigInt base units and ids as numbers; inserts take the amount
 * in BigInt too. Decimal strings exist only in the column (and at the API edge).
 */

/** A transfer as the module hands it out (amount: base units of its coin). */
export type TransferRecord = Omit<Transfer, 'amount'> & { amount: bigint };
export type NewTransferRecord = Omit<Insertable<TransferTable>, 'amount'> & { amount: bigint };

function toTransfer(row: Transfer): TransferRecord {
  return {
    ...row,
    id: Number(row.id),
    from_merchant_id: Number(row.from_merchant_id),
    to_merchant_id: Number(row.to_merchant_id),
    coin_id: Number(row.coin_id),
    amount: BigInt(row.amount),
  };
}

export async function findTransferByRequestId(db: Db, input: { fromMerchantId: number; requestId: string }): Promise<TransferRecord | undefined> {
  const row = await db.selectFrom('transfers').selectAll().where('from_merchant_id', '=', input.fromMerchantId).where('request_id', '=', input.requestId).executeTakeFirst();
  return row === undefined ? undefined : toTransfer(row);
}

export async function insertTransfer(db: Db, values: NewTransferRecord): Promise<TransferRecord> {
  return toTransfer(await db.insertInto('transfers').values({ ...values, amount: values.amount.toString() }).returningAll().executeTakeFirstOrThrow());
}

/**
 * Transfers by request_id — the sender's own key, so only those this merchant sent — or by
 * receipt, either side's. Ascending by id.
 */
export async function transfersByIds(db: Db, merchantId: number, input: { idsType: 'request_id' | 'receipt'; ids: string[] }): Promise<TransferRecord[]> {
  let query = db.selectFrom('transfers').selectAll();
  if (input.idsType === 'request_id') {
    query = query.where('from_merchant_id', '=', merchantId).where('request_id', 'in', input.ids);
  } else {
    query = query.where((eb) => eb.or([eb('from_merchant_id', '=', merchantId), eb('to_merchant_id', '=', merchantId)])).where('receipt', 'in', input.ids);
  }
  return (await query.orderBy('id').execute()).map(toTransfer);
}

/** Transfers this merchant sent or received, after `maxId`, ascending. */
export async function transfersAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<TransferRecord[]> {
  const rows = await db
    .selectFrom('transfers')
    .selectAll()
    .where((eb) => eb.or([eb('from_merchant_id', '=', q.merchantId), eb('to_merchant_id', '=', q.merchantId)]))
    .where('id', '>', q.maxId)
    .orderBy('id')
    .limit(q.limit)
    .execute();
  return rows.map(toTransfer);
}
