import { AuditStatus, WithdrawStatus } from '@openwaas/sdk';
import type { WithdrawalDecisionDeps, WithdrawalReadDeps, WithdrawalReleaseDeps } from './deps.js';
import { CoinLookup } from '../coins/index.js';
import type { KytVerdict } from '../kyt/index.js';
import { appendReason, checkRejectReason, ReviewStateError } from '../kyt/index.js';
import { postJournal } from '../ledger/index.js';
import { withdrawRecord } from '../records/index.js';
import { inTransaction, type Tx } from '../../store/tx.js';
import { notifyWithdrawal } from './notify.js';
import { unlockPostings } from './postings.js';
import { listWithdrawalsByStatus, lockWithdrawal, updateWithdrawalIf, type WithdrawalRecord, type WithdrawalRecordUpdate } from './repository.js';
import { MerchantAppIds } from './review.js';

/**
 * Withdrawals held by KYT: approved and on-chain but not signed yet, waiting for screening (7)
 * or for an operator after a risk verdict (8). Releasing one lets the broadcaster pay it
 * (status 1); rejecting one returns its funds (lock → normal, status 2).
 */
export const heldWithdrawalStatuses: readonly number[] = [WithdrawStatus.AwaitingKyt, WithdrawStatus.KytManualReview];

/** Changes a held withdrawal's row only if its status is still the one read under the lock (and it is unsigned). */
async function transition(tx: Tx, w: WithdrawalRecord, set: Pick<WithdrawalRecordUpdate, 'status' | 'saas_status' | 'review_reason' | 'kyt_reason' | 'updated_at'>): Promise<WithdrawalRecord> {
  const row = await updateWithdrawalIf(tx, { id: Number(w.id), status: w.status, txid: '' }, set);
  if (!row) throw new Error(`withdrawal ${w.id}: status changed under the row lock`);
  return row;
}

/** The chain a withdrawal pays on, to wake its broadcaster. */
async function chainOf(ctx: WithdrawalReadDeps, w: WithdrawalRecord): Promise<string | undefined> {
  const coin = await new CoinLookup(ctx.store.db).byIdOrThrow(Number(w.coin_id)).catch(() => undefined);
  return coin?.chain;
}

/**
 * Applies a screening verdict to a withdrawal awaiting screening (status 7), in one
 * transaction with its notification: pass → 1 (the broadcaster pays it), review → 8 with
 * kyt_reason, pending → stays 7 (kyt_reason says why). Returns the row as written, or
 * undefined when it left status 7 meanwhile (cancelled, decided by an operator).
 */
export async function applyWithdrawalVerdict(ctx: WithdrawalReleaseDeps, withdrawalId: number, verdict: KytVerdict): Promise<{ withdrawal: WithdrawalRecord; changed: boolean } | undefined> {
  const result = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockWithdrawal(tx, withdrawalId);
    if (!w || w.status !== WithdrawStatus.AwaitingKyt || w.txid !== '') return undefined;
    if (verdict.outcome === 'pending') {
      if (w.kyt_reason === verdict.reason) return { withdrawal: w, changed: false };
      return { withdrawal: await transition(tx, w, { kyt_reason: verdict.reason, updated_at: Number(w.updated_at) }), changed: false };
    }
    const next =
      verdict.outcome === 'pass'
        ? await transition(tx, w, { status: WithdrawStatus.Paying, kyt_reason: '', updated_at: nowMs })
        : await transition(tx, w, { status: WithdrawStatus.KytManualReview, kyt_reason: verdict.reason, updated_at: nowMs });
    await notifyWithdrawal(tx, next, nowMs);
    return { withdrawal: next, changed: true };
  });
  if (result?.changed) {
    ctx.notifier.wake();
    if (result.withdrawal.status === WithdrawStatus.Paying) ctx.chainWorkers.wake(await chainOf(ctx, result.withdrawal));
  }
  return result;
}

/** Reads a held withdrawal under its row lock. @throws ReviewStateError when unknown or not held. */
async function lockHeld(tx: Tx, withdrawalId: number): Promise<WithdrawalRecord> {
  const w = await lockWithdrawal(tx, withdrawalId);
  if (!w) throw new ReviewStateError('withdrawal', withdrawalId);
  if (!heldWithdrawalStatuses.includes(w.status) || w.txid !== '') throw new ReviewStateError('withdrawal', withdrawalId, w.status);
  return w;
}

/**
 * An operator releases a held withdrawal (status 7 or 8): status 1, the broadcaster pays it.
 * @throws ReviewStateError when unknown or not held (cancelled, decided concurrently).
 */
export async function releaseWithdrawal(ctx: WithdrawalReleaseDeps, input: { withdrawalId: number; by?: string }): Promise<WithdrawalRecord> {
  const w = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockHeld(tx, input.withdrawalId);
    const next = await transition(tx, w, { status: WithdrawStatus.Paying, kyt_reason: appendReason(w.kyt_reason, `released by ${input.by ?? 'operator'}`), updated_at: nowMs });
    await notifyWithdrawal(tx, next, nowMs);
    return next;
  });
  ctx.notifier.wake();
  ctx.chainWorkers.wake(await chainOf(ctx, w));
  return w;
}

/**
 * An operator rejects a held withdrawal (status 7 or 8): status 2 with the platform audit
 * marked rejected and the reason recorded; the locked funds return to the user's balance,
 * journal and notification in the same transaction.
 * @throws ReviewStateError when unknown or not held; AdminError invalid without a reason.
 */
export async function rejectHeldWithdrawal(ctx: WithdrawalDecisionDeps, input: { withdrawalId: number; reason: string; by?: string }): Promise<WithdrawalRecord> {
  const reason = checkRejectReason(input.reason);
  const w = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockHeld(tx, input.withdrawalId);
    const note = `KYT: rejected by ${input.by ?? 'operator'}: ${reason}`;
    const next = await transition(tx, w, {
      status: WithdrawStatus.Rejected,
      saas_status: AuditStatus.Rejected,
      review_reason: appendReason(w.review_reason, note),
      kyt_reason: appendReason(w.kyt_reason, note),
      updated_at: nowMs,
    });
    await postJournal(tx, { refType: 'withdrawal', refId: Number(w.id), reason: 'withdraw.kyt-reject', postings: await unlockPostings(tx, w), nowMs });
    await notifyWithdrawal(tx, next, nowMs);
    return next;
  });
  ctx.notifier.wake();
  return w;
}

/** A held withdrawal as operators see it: the list-record fields plus who and why. */
export type HeldWithdrawalView = Awaited<ReturnType<typeof withdrawRecord>> & { app_id: string; merchant_id: number; review_reason: string; kyt_reason: string };

export async function heldWithdrawalView(ctx: WithdrawalReadDeps, w: WithdrawalRecord, coins = new CoinLookup(ctx.store.db), appIds = new MerchantAppIds(ctx.store.db)): Promise<HeldWithdrawalView> {
  const appId = await appIds.of(Number(w.merchant_id));
  if (appId === undefined) throw new Error(`withdrawal ${w.id}: merchant ${w.merchant_id} not found`);
  return { ...(await withdrawRecord(w, coins)), app_id: appId, merchant_id: Number(w.merchant_id), review_reason: w.review_reason, kyt_reason: w.kyt_reason };
}

/** Withdrawals held by KYT (7, 8), oldest first, up to `limit` after `afterId`. */
export async function listHeldWithdrawals(ctx: WithdrawalReadDeps, options: { afterId?: number; limit: number }): Promise<HeldWithdrawalView[]> {
  const db = ctx.store.db;
  const rows = await listWithdrawalsByStatus(db, { statuses: heldWithdrawalStatuses, afterId: options.afterId ?? 0, limit: options.limit });
  const coins = new CoinLookup(db);
  const appIds = new MerchantAppIds(db);
  const out: HeldWithdrawalView[] = [];
  for (const w of rows) out.push(await heldWithdrawalView(ctx, w, coins, appIds));
  return out;
}
