import { CoinLookup } from '../coins/index.js';
import { enqueueNotification } from '../notifications/index.js';
import { withdrawNotificationPayload } from '../records/index.js';
import type { WithdrawalRecord } from './repository.js';
import type { Tx } from '../../store/tx.js';

/** Writes the merchant's notification of a withdrawal's new state, in the transaction that changed it. */
export async function notifyWithdrawal(tx: Tx, w: WithdrawalRecord, nowMs: number, coins = new CoinLookup(tx)): Promise<void> {
  await enqueueNotification(tx, {
    merchantId: Number(w.merchant_id),
    side: 'withdraw',
    recordId: Number(w.id),
    payload: await withdrawNotificationPayload(w, coins),
    nowMs,
  });
}
