/**
 * Deposits held by KYT (docs/chains.md): confirmed on chain, their value in the suspense
 * account, waiting for screening (4), for an operator after a risk verdict (5) or after the
 * circuit breaker tripped (6). Releasing one credits it (suspense −a; user, or the merchant's
 * collection account with auto-collection, +a; status 1). Rejecting one marks it failed
 * (status 2) and leaves the funds in suspense: the operator returns them out of band.
 */
import { DepositStatus } from '@openwaas/sdk';
import { suspenseAccount } from '../chain-sends/index.js';
import { CoinLookup } from '../coins/index.js';
import { receivingAccount } from '../transfers/index.js';
import { postJournal } from '../ledger/index.js';
import { depositRecord } from '../records/index.js';
import type { DepositRecord } from './repository.js';
import { inTransaction, type Tx } from '../../store/tx.js';
import { appendReason, checkRejectReason, ReviewStateError, type KytVerdict } from '../kyt/index.js';
import { merchantAppId } from '../merchants/index.js';
import { notifyDeposit } from './notify.js';
import type { DepositReadDeps, DepositReviewContext } from './deps.js';
import * as repo from './repository.js';

export const heldDepositStatuses: readonly number[] = [DepositStatus.AwaitingKyt, DepositStatus.KytManualReview, DepositStatus.CircuitBreakerReview];

/** Changes a held deposit's row only if its status is still the one read under the lock. */
async function transition(tx: Tx, d: DepositRecord, set: { status?: number; review_reason?: string; to_collection?: number; updated_at: number }): Promise<DepositRecord> {
  const row = await repo.updateDepositIfStatus(tx, { id: Number(d.id), fromStatus: d.status, set });
  // The row is locked (FOR UPDATE / the SQLite write lock): a miss is a bug.
  if (!row) throw new Error(`deposit ${d.id}: status changed under the row lock`);
  return row;
}

/**
 * Credits a held deposit inside the caller's transaction: suspense −a, and +a to the user or,
 * with the merchant's auto-collection on, to its collection account; status 1 with its
 * notification. The caller holds the row and has checked it is held.
 */
async function creditHeld(tx: Tx, input: { deposit: DepositRecord; note: string; nowMs: number }): Promise<DepositRecord> {
  const { deposit: d, note, nowMs } = input;
  const coinId = Number(d.coin_id);
  const amount = d.amount;
  const { account, toCollection } = await receivingAccount(tx, { merchantId: Number(d.merchant_id), uid: Number(d.uid), address: d.address_to }, coinId);
  await postJournal(tx, {
    refType: 'deposit',
    refId: Number(d.id),
    reason: 'deposit.release',
    memo: note,
    postings: [
      { account: suspenseAccount(coinId), bucket: 'normal', delta: -amount },
      { account, bucket: 'normal', delta: amount },
    ],
    nowMs,
  });
  const next = await transition(tx, d, { status: DepositStatus.Succeeded, to_collection: toCollection ? 1 : 0, review_reason: appendReason(d.review_reason, note), updated_at: nowMs });
  await notifyDeposit(tx, next, { nowMs });
  return next;
}

/**
 * Applies a new screening verdict to a deposit awaiting screening (status 4), in one
 * transaction with its journal and notification: pass → credited (1), review → 5,
 * breaker → 6, pending → stays 4 (its reason updated). Returns the row as written, or
 * undefined when the deposit left status 4 meanwhile (an operator decided): nothing changes.
 */
export async function applyDepositVerdict(ctx: DepositReviewContext, depositId: number, verdict: KytVerdict): Promise<{ deposit: DepositRecord; changed: boolean } | undefined> {
  const result = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const d = await repo.lockDeposit(tx, depositId);
    if (!d || d.status !== DepositStatus.AwaitingKyt) return undefined;
    switch (verdict.outcome) {
      case 'pass':
        return { deposit: await creditHeld(tx, { deposit: d, note: 'passed KYT screening', nowMs }), changed: true };
      case 'review':
      case 'breaker': {
        const status = verdict.outcome === 'review' ? DepositStatus.KytManualReview : DepositStatus.CircuitBreakerReview;
        const next = await transition(tx, d, { status, review_reason: verdict.reason, updated_at: nowMs });
        await notifyDeposit(tx, next, { nowMs });
        return { deposit: next, changed: true };
      }
      case 'pending':
        // Same status: no notification; the reason tells operators why it still waits.
        if (d.review_reason === verdict.reason) return { deposit: d, changed: false };
        return { deposit: await transition(tx, d, { review_reason: verdict.reason, updated_at: Number(d.updated_at) }), changed: false };
    }
  });
  if (result?.changed) ctx.notifier.wake();
  return result;
}

/**
 * An operator releases a held deposit (status 4, 5 or 6): credited as if it had passed
 * screening (status 1), with its journal and notification in one transaction.
 * @throws ReviewStateError when unknown or not held (e.g. decided concurrently).
 */
export async function releaseDeposit(ctx: DepositReviewContext, input: { depositId: number; by?: string }): Promise<DepositRecord> {
  const d = await inTransaction(ctx.store, async (tx) => {
    const d = await repo.lockDeposit(tx, input.depositId);
    if (!d) throw new ReviewStateError('deposit', input.depositId);
    if (!heldDepositStatuses.includes(d.status)) throw new ReviewStateError('deposit', input.depositId, d.status);
    return creditHeld(tx, { deposit: d, note: `released by ${input.by ?? 'operator'}`, nowMs: ctx.clock.nowMs() });
  });
  ctx.notifier.wake();
  return d;
}

/**
 * An operator rejects a held deposit (status 4, 5 or 6): status 2 with the reason, and its
 * notification. No journal: the funds stay in the suspense account until the operator
 * returns them out of band (and records that with a balance adjustment if need be).
 * @throws ReviewStateError when unknown or not held; AdminError invalid without a reason.
 */
export async function rejectDeposit(ctx: DepositReviewContext, input: { depositId: number; reason: string; by?: string }): Promise<DepositRecord> {
  const reason = checkRejectReason(input.reason);
  const d = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const d = await repo.lockDeposit(tx, input.depositId);
    if (!d) throw new ReviewStateError('deposit', input.depositId);
    if (!heldDepositStatuses.includes(d.status)) throw new ReviewStateError('deposit', input.depositId, d.status);
    const next = await transition(tx, d, { status: DepositStatus.Failed, review_reason: appendReason(d.review_reason, `rejected by ${input.by ?? 'operator'}: ${reason}`), updated_at: nowMs });
    await notifyDeposit(tx, next, { nowMs });
    return next;
  });
  ctx.notifier.wake();
  return d;
}

/** A held deposit as operators see it: the list-record fields plus who and why. */
export type HeldDepositView = Awaited<ReturnType<typeof depositRecord>> & { app_id: string; merchant_id: number; review_reason: string };

/** The operator view of one deposit. */
export async function heldDepositView(ctx: DepositReadDeps, d: DepositRecord, coins = new CoinLookup(ctx.store.db)): Promise<HeldDepositView> {
  const appId = await merchantAppId(ctx.store.db, Number(d.merchant_id));
  return { ...(await depositRecord(d, coins)), app_id: appId, merchant_id: Number(d.merchant_id), review_reason: d.review_reason };
}

/** Deposits held by KYT (4, 5, 6), oldest first, up to `limit` after `afterId`. */
export async function listHeldDeposits(ctx: DepositReadDeps, options: { afterId?: number; limit: number }): Promise<HeldDepositView[]> {
  const rows = await repo.listDepositsByStatus(ctx.store.db, { statuses: heldDepositStatuses, afterId: options.afterId ?? 0, limit: options.limit });
  const coins = new CoinLookup(ctx.store.db);
  const out: HeldDepositView[] = [];
  for (const d of rows) out.push(await heldDepositView(ctx, d, coins));
  return out;
}
