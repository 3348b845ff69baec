import type { Db } from '../../store/tx.js';
import { deleteMerchantCoin, insertMerchantCoin } from './repository.js';

/** Enables (or disables) a coin for a merchant. */
export async function setMerchantCoin(db: Db, merchantId: number, coinId: number, enabled: boolean): Promise<void> {
  if (enabled) await insertMerchantCoin(db, { merchantId, coinId });
  else await deleteMerchantCoin(db, { merchantId, coinId });
}
