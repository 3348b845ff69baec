import { WithdrawStatus, WithdrawType } from '@openwaas/sdk';
import type { AfterApprovalDeps } from './deps.js';
import { CoinLookup } from '../coins/index.js';
import { settleInternalWithdrawal } from '../transfers/index.js';
import type { Tx } from '../../store/tx.js';
import { feeCoinOf } from './postings.js';
import { updateWithdrawalIf, type WithdrawalRecord } from './repository.js';

/**
 * Moves an approved withdrawal on: an internal one settles in the ledger (status 5; never
 * screened: it does not leave the ledger), an on-chain one is left at status 1 for the chain
 * worker — or, with KYT screening on, at status 7 for the KYT loop, which moves it to 1 or 8.
 * Returns the row as written.
 */
export async function afterApproval(ctx: AfterApprovalDeps, tx: Tx, w: WithdrawalRecord, nowMs: number): Promise<WithdrawalRecord> {
  if (w.withdraw_type !== WithdrawType.Internal) {
    if (ctx.kyt === null) return w;
    const held = await updateWithdrawalIf(tx, { id: Number(w.id), status: WithdrawStatus.Paying }, { status: WithdrawStatus.AwaitingKyt, updated_at: nowMs });
    // Read under the row lock (or just inserted) in this transaction: nothing else can have moved it.
    if (!held) throw new Error(`withdrawal ${w.id}: status changed under the row lock`);
    return held;
  }
  const coin = await new CoinLookup(tx).byIdOrThrow(Number(w.coin_id));
  const feeCoin = await feeCoinOf(tx, coin);
  const { withdrawal } = await settleInternalWithdrawal(tx, { withdrawal: w, coin, feeCoinId: Number(feeCoin.id), nowMs });
  return withdrawal;
}
