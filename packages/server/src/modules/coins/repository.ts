/** The coins and merchant_coins tables: the only SQL that touches them. */
import type { Coin, CoinTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import type { Insertable, Updateable } from 'kysely';

export function findCoinBySymbol(db: Db, symbol: string): Promise<Coin | undefined> {
  return db.selectFrom('coins').selectAll().where('symbol', '=', symbol).executeTakeFirst();
}

export function findCoinById(db: Db, id: number): Promise<Coin | undefined> {
  return db.selectFrom('coins').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listCoins(db: Db): Promise<Coin[]> {
  return db.selectFrom('coins').selectAll().orderBy('id').execute();
}

export async function insertCoin(db: Db, values: Insertable<CoinTable>): Promise<void> {
  await db.insertInto('coins').values(values).execute();
}

export async function updateCoin(db: Db, id: number, values: Updateable<CoinTable>): Promise<void> {
  await db.updateTable('coins').set(values).where('id', '=', id).execute();
}

export async function insertMerchantCoin(db: Db, link: { merchantId: number; coinId: number }): Promise<void> {
  await db
    .insertInto('merchant_coins')
    .values({ merchant_id: link.merchantId, coin_id: link.coinId })
    .onConflict((oc) => oc.columns(['merchant_id', 'coin_id']).doNothing())
    .execute();
}

export async function deleteMerchantCoin(db: Db, link: { merchantId: number; coinId: number }): Promise<void> {
  await db.deleteFrom('merchant_coins').where('merchant_id', '=', link.merchantId).where('coin_id', '=', link.coinId).execute();
}

/** The coin a merchant may use under `symbol`, or undefined (→ 120202). */
export function findMerchantCoin(db: Db, merchantId: number, symbol: string): Promise<Coin | undefined> {
  return db
    .selectFrom('coins')
    .innerJoin('merchant_coins', 'merchant_coins.coin_id', 'coins.id')
    .selectAll('coins')
    .where('merchant_coins.merchant_id', '=', merchantId)
    .where('coins.symbol', '=', symbol)
    .where('coins.enabled', '=', 1)
    .executeTakeFirst();
}

/** Coins enabled for a merchant, in id order. */
export function listMerchantCoins(db: Db, merchantId: number): Promise<Coin[]> {
  return db
    .selectFrom('coins')
    .innerJoin('merchant_coins', 'merchant_coins.coin_id', 'coins.id')
    .selectAll('coins')
    .where('merchant_coins.merchant_id', '=', merchantId)
    .where('coins.enabled', '=', 1)
    .orderBy('coins.id')
    .execute();
}

/** Coins configured on `chain`, in id order. */
export function listCoinsOfChain(db: Db, chain: string): Promise<Coin[]> {
  return db.selectFrom('coins').selectAll().where('chain', '=', chain).orderBy('id').execute();
}

/** The chain's native coin (no contract address; the oldest when several), or undefined. */
export function findNativeCoin(db: Db, chain: string): Promise<Coin | undefined> {
  return db.selectFrom('coins').selectAll().where('chain', '=', chain).where('contract_address', '=', '').orderBy('id').executeTakeFirst();
}

