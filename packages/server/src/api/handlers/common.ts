import { ErrorCode } from '@openwaas/sdk';
import { ApiError } from '../../errors/api-error.js';
import { findMerchantCoin, type CoinRecord } from '../../modules/coins/index.js';
import type { Merchant } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

export { idsMax, pageSizeMax } from '../../limits.js';

/** The coin the merchant may use under `symbol`, or 120202. */
export async function requireMerchantCoin(db: Db, merchant: Merchant, symbol: string): Promise<CoinRecord> {
  const coin = await findMerchantCoin(db, Number(merchant.id), symbol);
  if (!coin) throw new ApiError(ErrorCode.CurrencyNotSupported, `currency not supported: ${symbol}`);
  return coin;
}
