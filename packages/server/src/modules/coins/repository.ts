/**
 * The coins and merchant_coins tables: the only SQL that touches them. Coins cross this
 * boundary as `CoinRecord`: the row's columns with its amounts (limits, fee, minimum deposit)
 * in BigInt base units and its id as a number; inserts and updates take amounts in BigInt too.
 * Decimal strings exist only in the columns (and at the API and operator edges).
 */
import type { Coin, CoinTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { sql, type Insertable, type Updateable } from 'kysely';

/** The amount columns of a coin: base units of the coin (withdraw_fee: of the fee coin). */
type CoinAmountField = 'min_withdraw' | 'max_withdraw' | 'withdraw_fee' | 'auto_approve_max' | 'daily_limit' | 'min_deposit';

/** A coin as the module hands it out. */
export type CoinRecord = Omit<Coin, CoinAmountField> & Record<CoinAmountField, bigint>;
export type NewCoin = Omit<Insertable<CoinTable>, CoinAmountField> & Record<CoinAmountField, bigint>;
export type CoinUpdate = Omit<Updateable<CoinTable>, CoinAmountField> & Partial<Record<CoinAmountField, bigint>>;

function toCoin(row: Coin): CoinRecord {
  return {
    ...row,
    id: Number(row.id),
    min_withdraw: BigInt(row.min_withdraw),
    max_withdraw: BigInt(row.max_withdraw),
    withdraw_fee: BigInt(row.withdraw_fee),
    auto_approve_max: BigInt(row.auto_approve_max),
    daily_limit: BigInt(row.daily_limit),
    min_deposit: BigInt(row.min_deposit),
  };
}

const toCoinOrUndefined = (row: Coin | undefined) => (row === undefined ? undefined : toCoin(row));

/** The amount columns as the store keeps them (decimal strings); fields left undefined stay unchanged. */
function amountColumns(values: { [K in CoinAmountField]: bigint | undefined }): { [K in CoinAmountField]: string | undefined } {
  return {
    min_withdraw: values.min_withdraw?.toString(),
    max_withdraw: values.max_withdraw?.toString(),
    withdraw_fee: values.withdraw_fee?.toString(),
    auto_approve_max: values.auto_approve_max?.toString(),
    daily_limit: values.daily_limit?.toString(),
    min_deposit: values.min_deposit?.toString(),
  };
}

/**
 * Symbols are matched case-insensitively ("eth" finds the coin configured as "ETH") and answered
 * in the coin's configured case; the store refuses two coins differing only by case (migration
 * 015), so a folded match finds one coin at most. `upper()` folds ASCII alike on SQLite and
 * PostgreSQL, and symbols are ASCII (letters, digits, . _ -).
 */
const symbolMatches = (column: 'symbol' | 'coins.symbol', symbol: string) => sql<boolean>`upper(${sql.ref(column)}) = upper(${symbol})`;

export async function findCoinBySymbol(db: Db, symbol: string): Promise<CoinRecord | undefined> {
  return toCoinOrUndefined(await db.selectFrom('coins').selectAll().where(symbolMatches('symbol', symbol)).executeTakeFirst());
}

export async function findCoinById(db: Db, id: number): Promise<CoinRecord | undefined> {
  return toCoinOrUndefined(await db.selectFrom('coins').selectAll().where('id', '=', id).executeTakeFirst());
}

export async function listCoins(db: Db): Promise<CoinRecord[]> {
  return (await db.selectFrom('coins').selectAll().orderBy('id').execute()).map(toCoin);
}

export async function insertCoin(db: Db, values: NewCoin): Promise<void> {
  const text = (v: bigint) => v.toString();
  await db
    .insertInto('coins')
    .values({
      ...values,
      min_withdraw: text(values.min_withdraw),
      max_withdraw: text(values.max_withdraw),
      withdraw_fee: text(values.withdraw_fee),
      auto_approve_max: text(values.auto_approve_max),
      daily_limit: text(values.daily_limit),
      min_deposit: text(values.min_deposit),
    })
    .execute();
}

export async function updateCoin(db: Db, id: number, values: CoinUpdate): Promise<void> {
  const { min_withdraw, max_withdraw, withdraw_fee, auto_approve_max, daily_limit, min_deposit, ...others } = values;
  const amounts = amountColumns({ min_withdraw, max_withdraw, withdraw_fee, auto_approve_max, daily_limit, min_deposit });
  await db.updateTable('coins').set({ ...others, ...amounts }).where('id', '=', id).execute();
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
export async function findMerchantCoin(db: Db, merchantId: number, symbol: string): Promise<CoinRecord | undefined> {
  const row = await db
    .selectFrom('coins')
    .innerJoin('merchant_coins', 'merchant_coins.coin_id', 'coins.id')
    .selectAll('coins')
    .where('merchant_coins.merchant_id', '=', merchantId)
    .where(symbolMatches('coins.symbol', symbol))
    .where('coins.enabled', '=', 1)
    .executeTakeFirst();
  return toCoinOrUndefined(row);
}

/** Coins enabled for a merchant, in id order. */
export async function listMerchantCoins(db: Db, merchantId: number): Promise<CoinRecord[]> {
  const rows = await db
    .selectFrom('coins')
    .innerJoin('merchant_coins', 'merchant_coins.coin_id', 'coins.id')
    .selectAll('coins')
    .where('merchant_coins.merchant_id', '=', merchantId)
    .where('coins.enabled', '=', 1)
    .orderBy('coins.id')
    .execute();
  return rows.map(toCoin);
}

/** Coins configured on `chain`, in id order. */
export async function listCoinsOfChain(db: Db, chain: string): Promise<CoinRecord[]> {
  return (await db.selectFrom('coins').selectAll().where('chain', '=', chain).orderBy('id').execute()).map(toCoin);
}

/** The chain's native coin (no contract address; the oldest when several), or undefined. */
export async function findNativeCoin(db: Db, chain: string): Promise<CoinRecord | undefined> {
  return toCoinOrUndefined(await db.selectFrom('coins').selectAll().where('chain', '=', chain).where('contract_address', '=', '').orderBy('id').executeTakeFirst());
}

