import type { Deposit, MinerFee, User, Withdrawal } from '../store/schema.js';
import type { Db } from '../store/tx.js';

/**
 * The merchant-facing record lists (API #9–#14, #16–#18): by exact id or after a `max_id`,
 * always scoped to one merchant, ascending by id. Ids are compared exactly as given (the API
 * refuses padded ones before they get here; see docs/identifiers.md).
 */

/** A page after `maxId`, ascending. */
export interface PageQuery {
  merchantId: number;
  maxId: number;
  limit: number;
}

export function withdrawalsAfter(db: Db, q: PageQuery): Promise<Withdrawal[]> {
  return db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

/** The merchant's withdrawals whose request_id is one of `requestIds` (unknown ones left out). */
export function withdrawalsByRequestIds(db: Db, merchantId: number, requestIds: string[]): Promise<Withdrawal[]> {
  return db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', merchantId).where('request_id', 'in', requestIds).orderBy('id').execute();
}

export function depositsAfter(db: Db, q: PageQuery): Promise<Deposit[]> {
  return db.selectFrom('deposits').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

export function depositsByIds(db: Db, merchantId: number, ids: number[]): Promise<Deposit[]> {
  return db.selectFrom('deposits').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).orderBy('id').execute();
}

export function minerFeesAfter(db: Db, q: PageQuery): Promise<MinerFee[]> {
  return db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

export function minerFeesByIds(db: Db, merchantId: number, ids: number[]): Promise<MinerFee[]> {
  return db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).orderBy('id').execute();
}

/** Transfers joined with both merchants' app_ids. */
function transfersQuery(db: Db) {
  return db
    .selectFrom('transfers')
    .innerJoin('merchants as sender', 'sender.id', 'transfers.from_merchant_id')
    .innerJoin('merchants as receiver', 'receiver.id', 'transfers.to_merchant_id')
    .select([
      'transfers.id',
      'transfers.coin_id',
      'transfers.symbol',
      'transfers.amount',
      'transfers.created_at',
      'transfers.request_id',
      'transfers.receipt',
      'transfers.remark',
      'transfers.from_merchant_id',
      'transfers.to_merchant_id',
      'sender.app_id as from_app_id',
      'receiver.app_id as to_app_id',
    ]);
}

/** A transfer with both sides' app_ids. */
export type TransferRow = Awaited<ReturnType<ReturnType<typeof transfersQuery>['execute']>>[number];

/**
 * Transfers by request_id — the sender's own key, so only those this merchant sent — or by
 * receipt, either side's.
 */
export function transfersByIds(db: Db, merchantId: number, input: { idsType: 'request_id' | 'receipt'; ids: string[] }): Promise<TransferRow[]> {
  let query = transfersQuery(db);
  if (input.idsType === 'request_id') {
    query = query.where('transfers.from_merchant_id', '=', merchantId).where('transfers.request_id', 'in', input.ids);
  } else {
    query = query
      .where((eb) => eb.or([eb('transfers.from_merchant_id', '=', merchantId), eb('transfers.to_merchant_id', '=', merchantId)]))
      .where('transfers.receipt', 'in', input.ids);
  }
  return query.orderBy('transfers.id').execute();
}

/** Transfers this merchant sent or received, after `maxId`. */
export function transfersAfter(db: Db, q: PageQuery): Promise<TransferRow[]> {
  return transfersQuery(db)
    .where((eb) => eb.or([eb('transfers.from_merchant_id', '=', q.merchantId), eb('transfers.to_merchant_id', '=', q.merchantId)]))
    .where('transfers.id', '>', q.maxId)
    .orderBy('transfers.id')
    .limit(q.limit)
    .execute();
}

export function usersAfter(db: Db, q: PageQuery): Promise<User[]> {
  return db.selectFrom('users').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

/** A merchant's user by its exact email (or "virtual account" string), or by country and mobile. */
export function findUser(db: Db, merchantId: number, by: { email: string } | { country: string; mobile: string }): Promise<User | undefined> {
  let query = db.selectFrom('users').selectAll().where('merchant_id', '=', merchantId);
  query = 'email' in by ? query.where('email', '=', by.email) : query.where('country', '=', by.country).where('mobile', '=', by.mobile);
  return query.executeTakeFirst();
}
