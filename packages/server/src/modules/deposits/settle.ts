/**
 * Settling confirmed deposits (docs/chains.md): at the coin's confirmations a deposit below
 * the coin's minimum goes to 2 (money to suspense); otherwise it is screened — pass → 1
 * (credited to the user, or the collection account with auto-collection), pending → 4,
 * review → 5, breaker → 6 (money to suspense). The status change, its journal and its
 * notification commit together.
 */
import { DepositStatus } from '@openwaas/sdk';
import { chainAccount, suspenseAccount } from '../chain-sends/index.js';
import { receivingAccount } from '../transfers/index.js';
import { postJournal, type AccountRef } from '../ledger/index.js';
import { settleBatchMax } from '../../limits.js';
import type { CoinRecord } from '../coins/index.js';
import type { DepositRecord } from './repository.js';
import { inTransaction, type Tx } from '../../store/tx.js';
import { screenDeposit, type KytVerdict } from '../kyt/index.js';
import type { ChainCoins } from './chain-coins.js';
import type { SettleContext } from './deps.js';
import { notifyDeposit } from './notify.js';
import { belowMinimumReason } from './reasons.js';
import * as repo from './repository.js';

/** Where a settled deposit's money goes. */
interface Settlement {
  status: DepositStatus;
  reviewReason: string;
  /** The journal's reason. */
  reason: 'deposit.credit' | 'deposit.hold' | 'deposit.below-minimum';
}

function settlementOf(verdict: KytVerdict): Settlement {
  switch (verdict.outcome) {
    case 'pass':
      return { status: DepositStatus.Succeeded, reviewReason: '', reason: 'deposit.credit' };
    case 'review':
      return { status: DepositStatus.KytManualReview, reviewReason: verdict.reason, reason: 'deposit.hold' };
    case 'breaker':
      return { status: DepositStatus.CircuitBreakerReview, reviewReason: verdict.reason, reason: 'deposit.hold' };
    case 'pending':
      return { status: DepositStatus.AwaitingKyt, reviewReason: verdict.reason, reason: 'deposit.hold' };
  }
}

/**
 * Settles the chain's deposits that reached their coin's confirmations in blocks the scanner
 * has verified (at or below `scannedHeight`). Returns how many were settled and whether more
 * are due (the tick runs again at once).
 */
export async function settleDueDeposits(
  ctx: SettleContext,
  input: { coins: ChainCoins; scannedHeight: number; signal?: AbortSignal },
): Promise<{ settled: number; more: boolean }> {
  const { coins, scannedHeight, signal } = input;
  if (coins.ids.length === 0) return { settled: 0, more: false };
  const confirmationsByCoin = new Map(coins.all.map((c) => [Number(c.id), c.confirmations]));
  const due = await repo.listDueDeposits(ctx.store.db, { confirmationsByCoin, scannedHeight, limit: settleBatchMax });
  let settled = 0;
  for (const deposit of due) {
    if (signal?.aborted) break;
    const coin = coins.byId.get(Number(deposit.coin_id));
    if (coin && (await settleDeposit(ctx, deposit, coin, signal))) settled++;
  }
  return { settled, more: due.length === settleBatchMax };
}

/**
 * Settles one confirmed deposit: below the minimum → 2, else screened (outside any
 * transaction: providers may be slow) and the verdict applied in a transaction that re-checks
 * the status, so two processes settling the same row move its money once. False when someone
 * else settled (or a reorg failed) it first.
 */
export async function settleDeposit(ctx: SettleContext, deposit: DepositRecord, coin: CoinRecord, signal?: AbortSignal): Promise<boolean> {
  const amount = deposit.amount;
  const settlement: Settlement =
    amount < coin.min_deposit
      ? { status: DepositStatus.Failed, reviewReason: belowMinimumReason, reason: 'deposit.below-minimum' }
      : settlementOf(await screenDeposit(ctx, deposit, coin, signal ? { signal } : {}));
  const nowMs = ctx.clock.nowMs();
  const done = await inTransaction(ctx.store, (tx) => applySettlement(tx, { deposit, coin, settlement, nowMs }));
  if (done) ctx.notifier.wake();
  return done;
}

async function applySettlement(tx: Tx, input: { deposit: DepositRecord; coin: CoinRecord; settlement: Settlement; nowMs: number }): Promise<boolean> {
  const { deposit, coin, settlement, nowMs } = input;
  const coinId = Number(coin.id);
  const depositId = Number(deposit.id);
  const amount = deposit.amount;
  // The status guard is the exactly-once: a second settler (or the reorg handler) finds no row at 0.
  // It is also the transaction's first statement: on SQLite shared by processes, a write after a
  // read could meet a snapshot another process has moved past.
  let updated = await repo.updateDepositIfStatus(tx, {
    id: depositId,
    fromStatus: DepositStatus.Confirming,
    set: { status: settlement.status, review_reason: settlement.reviewReason, updated_at: nowMs },
  });
  if (!updated) return false;
  let target: AccountRef = suspenseAccount(coinId);
  if (settlement.status === DepositStatus.Succeeded) {
    const receiving = await receivingAccount(tx, { merchantId: Number(deposit.merchant_id), uid: Number(deposit.uid), address: deposit.address_to }, coinId);
    target = receiving.account;
    if (receiving.toCollection) updated = await repo.updateDeposit(tx, { id: depositId, set: { to_collection: 1 } });
  }
  await postJournal(tx, {
    refType: 'deposit',
    refId: depositId,
    reason: settlement.reason,
    memo: `${deposit.txid}:${deposit.tx_index}`,
    postings: [
      { account: chainAccount(coinId), bucket: 'normal', delta: -amount },
      { account: target, bucket: 'normal', delta: amount },
    ],
    nowMs,
  });
  await notifyDeposit(tx, updated, { nowMs });
  return true;
}
