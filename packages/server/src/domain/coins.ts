import type { Db } from '../store/tx.js';
import type { Coin } from '../store/schema.js';
import { addressCodec } from '../chains/address-codec.js';
import { parseAmount } from './amount.js';

export interface CoinInput {
  symbol: string;
  name?: string;
  /** Chain family key, e.g. "evm" (several EVM chains: "evm:1", "evm:31337"). */
  chain: string;
  baseSymbol?: string;
  contractAddress?: string;
  decimals: number;
  confirmations?: number;
  /** Decimal strings in the coin's units (fee in the fee coin's units). */
  minWithdraw?: string;
  maxWithdraw?: string;
  withdrawFee?: string;
  withdrawFeeSymbol?: string;
  autoApproveMax?: string;
  dailyLimit?: string;
  minDeposit?: string;
  icon?: string;
  explorer?: string;
  nowMs: number;
}

/** Address pattern of a chain key ("evm:31337" → the EVM pattern). */
export function addressPattern(chain: string): RegExp | undefined {
  return addressCodec(chain).pattern;
}

/** Adds or replaces a coin's configuration (by symbol). Amounts are validated with the coin's decimals. */
export async function upsertCoin(db: Db, input: CoinInput): Promise<Coin> {
  const feeSymbol = input.withdrawFeeSymbol ?? input.symbol;
  let feeDecimals = input.decimals;
  if (feeSymbol !== input.symbol) {
    const feeCoin = await findCoinBySymbol(db, feeSymbol);
    if (!feeCoin) throw new Error(`fee coin ${feeSymbol} is not configured`);
    feeDecimals = feeCoin.decimals;
  }
  const units = (v: string | undefined, d: number, fallback: string) => (v === undefined ? fallback : parseAmount(v, d).toString());
  const values = {
    symbol: input.symbol,
    name: input.name ?? input.symbol,
    chain: input.chain,
    base_symbol: input.baseSymbol ?? input.symbol,
    contract_address: input.contractAddress ?? '',
    decimals: input.decimals,
    confirmations: input.confirmations ?? 12,
    min_withdraw: units(input.minWithdraw, input.decimals, '0'),
    max_withdraw: units(input.maxWithdraw, input.decimals, '0'),
    withdraw_fee: units(input.withdrawFee, feeDecimals, '0'),
    withdraw_fee_symbol: feeSymbol,
    auto_approve_max: units(input.autoApproveMax, input.decimals, '0'),
    daily_limit: units(input.dailyLimit, input.decimals, '0'),
    min_deposit: units(input.minDeposit, input.decimals, '0'),
    icon: input.icon ?? '',
    explorer: input.explorer ?? '',
    enabled: 1,
  };
  const existing = await findCoinBySymbol(db, input.symbol);
  if (existing) {
    await db.updateTable('coins').set(values).where('id', '=', existing.id).execute();
  } else {
    await db.insertInto('coins').values({ ...values, created_at: input.nowMs }).execute();
  }
  return (await findCoinBySymbol(db, input.symbol))!;
}

export function findCoinBySymbol(db: Db, symbol: string): Promise<Coin | undefined> {
  return db.selectFrom('coins').selectAll().where('symbol', '=', symbol).executeTakeFirst();
}

export function listCoins(db: Db): Promise<Coin[]> {
  return db.selectFrom('coins').selectAll().orderBy('id').execute();
}

/** Enables (or disables) a coin for a merchant. */
export async function setMerchantCoin(db: Db, merchantId: number, coinId: number, enabled: boolean): Promise<void> {
  if (enabled) {
    await db.insertInto('merchant_coins').values({ merchant_id: merchantId, coin_id: coinId }).onConflict((oc) => oc.columns(['merchant_id', 'coin_id']).doNothing()).execute();
  } else {
    await db.deleteFrom('merchant_coins').where('merchant_id', '=', merchantId).where('coin_id', '=', coinId).execute();
  }
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

/** Caches coins by id for the length of one request (lists format many records). */
export class CoinLookup {
  private readonly byId = new Map<number, Coin>();
  private readonly bySymbol = new Map<string, Coin>();
  constructor(private readonly db: Db) {}

  async byIdOrThrow(id: number): Promise<Coin> {
    let coin = this.byId.get(id);
    if (!coin) {
      coin = await this.db.selectFrom('coins').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      this.byId.set(id, coin);
    }
    return coin;
  }

  async bySymbolOrThrow(symbol: string): Promise<Coin> {
    let coin = this.bySymbol.get(symbol);
    if (!coin) {
      coin = await this.db.selectFrom('coins').selectAll().where('symbol', '=', symbol).executeTakeFirstOrThrow();
      this.bySymbol.set(symbol, coin);
    }
    return coin;
  }
}
