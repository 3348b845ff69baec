import { CoinLookup } from '../coins/index.js';
import { depositNotificationPayload } from '../records/index.js';
import type { DepositRecord } from './repository.js';
import type { Tx } from '../../store/tx.js';
import { enqueueNotification } from '../notifications/index.js';

/**
 * Writes the notification of a deposit's status change (`d`: the row as just written) in the
 * caller's transaction. `coins` lets a batch share one coin cache.
 */
export async function notifyDeposit(tx: Tx, d: DepositRecord, input: { nowMs: number; coins?: CoinLookup }): Promise<void> {
  const payload = await depositNotificationPayload(d, input.coins ?? new CoinLookup(tx));
  await enqueueNotification(tx, { merchantId: Number(d.merchant_id), side: 'deposit', recordId: Number(d.id), payload, nowMs: input.nowMs });
}
