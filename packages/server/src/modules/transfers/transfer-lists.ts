import type { Db } from '../../store/tx.js';
import { findMerchantById } from '../merchants/index.js';
import { transfersAfter, transfersByIds, type TransferRecord } from './repository.js';

/** A transfer with both sides' app_ids. */
export type TransferRow = TransferRecord & { from_app_id: string; to_app_id: string };

/** Adds both merchants' app_ids (each merchant read once per list). */
async function withAppIds(db: Db, rows: TransferRecord[]): Promise<TransferRow[]> {
  const appIds = new Map<number, string>();
  const appId = async (id: number) => {
    let found = appIds.get(id);
    if (found === undefined) {
      const merchant = await findMerchantById(db, id);
      // Merchants are never deleted and transfers reference them.
      if (!merchant) throw new Error(`merchant ${id} of a transfer does not exist`);
      found = merchant.app_id;
      appIds.set(id, found);
    }
    return found;
  };
  const out: TransferRow[] = [];
  for (const t of rows) out.push({ ...t, from_app_id: await appId(t.from_merchant_id), to_app_id: await appId(t.to_merchant_id) });
  return out;
}

/**
 * Transfers by request_id — the sender's own key, so only those this merchant sent — or by
 * receipt, either side's.
 */
export async function listTransfersByIds(db: Db, merchantId: number, input: { idsType: 'request_id' | 'receipt'; ids: string[] }): Promise<TransferRow[]> {
  return withAppIds(db, await transfersByIds(db, merchantId, input));
}

/** Transfers this merchant sent or received, after `maxId`. */
export async function listTransfersAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<TransferRow[]> {
  return withAppIds(db, await transfersAfter(db, q));
}
