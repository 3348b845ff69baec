/** Queries on deposits needed by the transfers module (internal settlement) and the merchant record lists. */
import type { Insertable } from 'kysely';
import type { Deposit, DepositTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

export function insertDeposit(db: Db, values: Insertable<DepositTable>): Promise<Deposit> {
  return db.insertInto('deposits').values(values).returningAll().executeTakeFirstOrThrow();
}

/** A merchant's deposits after `maxId`, ascending. */
export function depositsAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<Deposit[]> {
  return db.selectFrom('deposits').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

/** A merchant's deposits whose id is one of `ids` (unknown ones left out), ascending. */
export function depositsByIds(db: Db, merchantId: number, ids: number[]): Promise<Deposit[]> {
  return db.selectFrom('deposits').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).orderBy('id').execute();
}
