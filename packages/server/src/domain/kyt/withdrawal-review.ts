import { AuditStatus, WithdrawStatus } from '@openwaas/sdk';
import type { ServiceContext } from '../../context.js';
import type { DialectName } from '../../store/dialect.js';
import type { Withdrawal } from '../../store/schema.js';
import { inTransaction, type Tx } from '../../store/tx.js';
import { CoinLookup, findCoinBySymbol } from '../coins.js';
import { postJournal } from '../ledger.js';
import { unlockPostings } from '../withdrawals.js';
import { enqueueNotification } from '../outbox.js';
import { withdrawNotificationPayload, withdrawRecord } from '../records.js';
import type { KytVerdict } from './provider.js';
import { appendReason, checkRejectReason, ReviewStateError } from './review-errors.js';

/**
 * Withdrawals held by KYT: approved and on-chain but not signed yet, waiting for screening (7)
 * or for an operator after a risk verdict (8). Releasing one lets the broadcaster pay it
 * (status 1); rejecting one returns its funds (lock → normal, status 2).
 */
export const heldWithdrawalStatuses: readonly number[] = [WithdrawStatus.AwaitingKyt, WithdrawStatus.KytManualReview];

async function lockWithdrawal(tx: Tx, dialect: DialectName, withdrawalId: number): Promise<Withdrawal | undefined> {
  let q = tx.selectFrom('withdrawals').selectAll().where('id', '=', withdrawalId);
  if (dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

async function notifyWithdrawal(tx: Tx, w: Withdrawal, nowMs: number): Promise<void> {
  await enqueueNotification(tx, {
    merchantId: Number(w.merchant_id),
    side: 'withdraw',
    recordId: Number(w.id),
    payload: await withdrawNotificationPayload(w, new CoinLookup(tx)),
    nowMs,
  });
}

/** Changes a held withdrawal's row only if its status is still the one read under the lock (and it is unsigned). */
async function transition(tx: Tx, w: Withdrawal, set: Partial<Pick<Withdrawal, 'status' | 'saas_status' | 'review_reason' | 'kyt_reason' | 'updated_at'>>): Promise<Withdrawal> {
  const row = await tx.updateTable('withdrawals').set(set).where('id', '=', Number(w.id)).where('status', '=', w.status).where('txid', '=', '').returningAll().executeTakeFirst();
  if (!row) throw new Error(`withdrawal ${w.id}: status changed under the row lock`);
  return row;
}

/** The chain a withdrawal pays on, to wake its broadcaster. */
async function chainOf(ctx: ServiceContext, w: Withdrawal): Promise<string | undefined> {
  const coin = await new CoinLookup(ctx.store.db).byIdOrThrow(Number(w.coin_id)).catch(() => undefined);
  return coin?.chain;
}

/**
 * Applies a screening verdict to a withdrawal awaiting screening (status 7), in one
 * transaction with its notification: pass → 1 (the broadcaster pays it), review → 8 with
 * kyt_reason, pending → stays 7 (kyt_reason says why). Returns the row as written, or
 * undefined when it left status 7 meanwhile (cancelled, decided by an operator).
 */
export async function applyWithdrawalVerdict(ctx: ServiceContext, withdrawalId: number, verdict: KytVerdict): Promise<{ withdrawal: Withdrawal; changed: boolean } | undefined> {
  const result = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockWithdrawal(tx, ctx.store.dialect, withdrawalId);
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

/**
 * An operator releases a held withdrawal (status 7 or 8): status 1, the broadcaster pays it.
 * @throws ReviewStateError when unknown or not held (cancelled, decided concurrently).
 */
export async function releaseWithdrawal(ctx: ServiceContext, input: { withdrawalId: number; by?: string }): Promise<Withdrawal> {
  const w = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockWithdrawal(tx, ctx.store.dialect, input.withdrawalId);
    if (!w) throw new ReviewStateError('withdrawal', input.withdrawalId);
    if (!heldWithdrawalStatuses.includes(w.status) || w.txid !== '') throw new ReviewStateError('withdrawal', input.withdrawalId, w.status);
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
export async function rejectHeldWithdrawal(ctx: ServiceContext, input: { withdrawalId: number; reason: string; by?: string }): Promise<Withdrawal> {
  const reason = checkRejectReason(input.reason);
  const w = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockWithdrawal(tx, ctx.store.dialect, input.withdrawalId);
    if (!w) throw new ReviewStateError('withdrawal', input.withdrawalId);
    if (!heldWithdrawalStatuses.includes(w.status) || w.txid !== '') throw new ReviewStateError('withdrawal', input.withdrawalId, w.status);
    const note = `KYT: rejected by ${input.by ?? 'operator'}: ${reason}`;
    const next = await transition(tx, w, {
      status: WithdrawStatus.Rejected,
      saas_status: AuditStatus.Rejected,
      review_reason: appendReason(w.review_reason, note),
      kyt_reason: appendReason(w.kyt_reason, note),
      updated_at: nowMs,
    });
    await postJournal(tx, ctx.store.dialect, { refType: 'withdrawal', refId: Number(w.id), reason: 'withdraw.kyt-reject', postings: await unlockPostings(tx, w), nowMs });
    await notifyWithdrawal(tx, next, nowMs);
    return next;
  });
  ctx.notifier.wake();
  return w;
}

/** A held withdrawal as operators see it: the list-record fields plus who and why. */
export type HeldWithdrawalView = Awaited<ReturnType<typeof withdrawRecord>> & { app_id: string; merchant_id: number; review_reason: string; kyt_reason: string };

export async function heldWithdrawalView(ctx: ServiceContext, w: Withdrawal, coins = new CoinLookup(ctx.store.db)): Promise<HeldWithdrawalView> {
  const m = await ctx.store.db.selectFrom('merchants').select('app_id').where('id', '=', Number(w.merchant_id)).executeTakeFirstOrThrow();
  return { ...(await withdrawRecord(w, coins)), app_id: m.app_id, merchant_id: Number(w.merchant_id), review_reason: w.review_reason, kyt_reason: w.kyt_reason };
}

/** Withdrawals held by KYT (7, 8), oldest first, up to `limit` after `afterId`. */
export async function listHeldWithdrawals(ctx: ServiceContext, options: { afterId?: number; limit: number }): Promise<HeldWithdrawalView[]> {
  const rows = await ctx.store.db
    .selectFrom('withdrawals')
    .selectAll()
    .where('status', 'in', [...heldWithdrawalStatuses])
    .where('id', '>', options.afterId ?? 0)
    .orderBy('id')
    .limit(options.limit)
    .execute();
  const coins = new CoinLookup(ctx.store.db);
  const out: HeldWithdrawalView[] = [];
  for (const w of rows) out.push(await heldWithdrawalView(ctx, w, coins));
  return out;
}
