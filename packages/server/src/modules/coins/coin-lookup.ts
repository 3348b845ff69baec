import type { Db } from '../../store/tx.js';
import { findCoinById, findCoinBySymbol, type CoinRecord } from './repository.js';

/**
 * Caches coins by id for the length of one request (lists format many records). The symbol
 * cache is keyed by the symbol as asked: the lookup behind it folds case, so "eth" and "ETH"
 * are two keys of the same coin, never two coins.
 */
export class CoinLookup {
  private readonly byId = new Map<number, CoinRecord>();
  private readonly bySymbol = new Map<string, CoinRecord>();
  /** The request's transaction handle (the record views read the users' emails through it). */
  constructor(readonly db: Db) {}

  async byIdOrThrow(id: number): Promise<CoinRecord> {
    let coin = this.byId.get(id);
    if (!coin) {
      coin = await findCoinById(this.db, id);
      if (!coin) throw new Error(`coin ${id} does not exist`);
      this.byId.set(id, coin);
    }
    return coin;
  }

  async bySymbolOrThrow(symbol: string): Promise<CoinRecord> {
    let coin = this.bySymbol.get(symbol);
    if (!coin) {
      coin = await findCoinBySymbol(this.db, symbol);
      if (!coin) throw new Error(`coin ${symbol} does not exist`);
      this.bySymbol.set(symbol, coin);
    }
    return coin;
  }
}
