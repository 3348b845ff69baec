import { AdminError } from '../../errors/admin-errors.js';
import { findCoinById, findCoinBySymbol, type CoinRecord } from '../coins/index.js';
import { findMerchantById, findMerchantByAppId } from '../merchants/index.js';
import type { Db } from '../../store/tx.js';

/** The merchant_id of the row for every merchant without its own. */
export const everyMerchant = 0;

/** The merchant a policy names (its id), or everyMerchant when no app_id is given. @throws AdminError not_found */
export async function merchantScope(db: Db, appId: string | undefined): Promise<number> {
  if (appId === undefined) return everyMerchant;
  const m = await findMerchantByAppId(db, appId);
  if (!m) throw AdminError.notFound(`merchant ${appId}`);
  return Number(m.id);
}

/** The coin a policy names. @throws AdminError not_found */
export async function policyCoin(db: Db, symbol: string): Promise<CoinRecord> {
  const coin = await findCoinBySymbol(db, symbol);
  if (!coin) throw AdminError.notFound(`coin ${symbol}`);
  return coin;
}

/** Names merchant ids and coin ids in views (app_id null: every merchant), read once per listing. */
export class ScopeNames {
  readonly #appIds = new Map<number, string>();
  readonly #coins = new Map<number, CoinRecord | undefined>();
  constructor(private readonly db: Db) {}

  async appId(merchantId: number): Promise<string | null> {
    if (merchantId === everyMerchant) return null;
    if (!this.#appIds.has(merchantId)) this.#appIds.set(merchantId, (await findMerchantById(this.db, merchantId))?.app_id ?? `#${merchantId}`);
    return this.#appIds.get(merchantId)!;
  }

  async coin(coinId: number): Promise<CoinRecord> {
    if (!this.#coins.has(coinId)) this.#coins.set(coinId, await findCoinById(this.db, coinId));
    const coin = this.#coins.get(coinId);
    if (!coin) throw new Error(`coin ${coinId} of a policy does not exist`);
    return coin;
  }
}
