import { AuditStatus, WithdrawStatus, WithdrawType } from '@openwaas/sdk';
import type { ServiceContext } from '../../context.js';
import { CoinLookup } from '../coins/index.js';
import { postJournal } from '../ledger/index.js';
import { findMerchantById } from '../merchants/index.js';
import { withdrawRecord } from '../records/index.js';
import { reviewPageSizeMax } from '../../limits.js';
import type { Withdrawal, WithdrawalUpdate } from '../../store/schema.js';
import { inTransaction, type Db, type Tx } from '../../store/tx.js';
import { afterApproval } from './approval.js';
import { WithdrawalStateError } from './errors.js';
import { notifyWithdrawal } from './notify.js';
import { unlockPostings } from './postings.js';
import { findWithdrawalById, listWithdrawalsByStatus, lockWithdrawal, updateWithdrawalIf } from './repository.js';

/** Who audits a withdrawal under review: the platform ("saas") or the merchant ("company"). */
export type Auditor = 'saas' | 'company';

const auditColumn = { saas: 'saas_status', company: 'company_status' } as const;

/** Reads a withdrawal under its row lock. @throws WithdrawalStateError when unknown. */
async function lockExisting(tx: Tx, withdrawalId: number): Promise<Withdrawal> {
  const w = await lockWithdrawal(tx, withdrawalId);
  if (!w) throw new WithdrawalStateError('not-found', withdrawalId);
  return w;
}

/** Updates a withdrawal only if its status and txid are still the ones read; a miss means another transition won. */
async function transition(tx: Tx, w: Withdrawal, set: Pick<WithdrawalUpdate, 'status' | 'saas_status' | 'company_status' | 'review_reason' | 'updated_at'>): Promise<Withdrawal> {
  const row = await updateWithdrawalIf(tx, { id: Number(w.id), status: w.status, txid: w.txid }, set);
  if (!row) throw new WithdrawalStateError('invalid-transition', Number(w.id), w.status, `withdrawal ${w.id} changed concurrently`);
  return row;
}

/**
 * Approves a withdrawal under review for one auditor. When both have approved it becomes
 * status 1 (on-chain, for the chain worker) or settles at once (internal, status 5). Approving
 * twice for the same auditor changes nothing.
 * @throws WithdrawalStateError when unknown or not under review.
 */
export async function approveWithdrawal(ctx: ServiceContext, input: { withdrawalId: number; by: Auditor }): Promise<Withdrawal> {
  const result = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockExisting(tx, input.withdrawalId);
    if (w.status !== WithdrawStatus.Review) throw new WithdrawalStateError('invalid-transition', input.withdrawalId, w.status);
    const column = auditColumn[input.by];
    if (w[column] === AuditStatus.Approved) return { w, changed: false };
    const other = input.by === 'saas' ? w.company_status : w.saas_status;
    if (other !== AuditStatus.Approved) {
      return { w: await transition(tx, w, { [column]: AuditStatus.Approved, updated_at: nowMs }), changed: false };
    }
    let next = await transition(tx, w, { [column]: AuditStatus.Approved, status: WithdrawStatus.Paying, updated_at: nowMs });
    next = await afterApproval(ctx, tx, next, nowMs);
    await notifyWithdrawal(tx, next, nowMs);
    return { w: next, changed: true };
  });
  if (result.changed) ctx.notifier.wake();
  return result.w;
}

/**
 * Rejects a withdrawal under review for one auditor: status 2, funds back from lock to normal.
 * @throws WithdrawalStateError when unknown or not under review.
 */
export async function rejectWithdrawal(ctx: ServiceContext, input: { withdrawalId: number; by: Auditor; reason: string }): Promise<Withdrawal> {
  const w = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockExisting(tx, input.withdrawalId);
    if (w.status !== WithdrawStatus.Review) throw new WithdrawalStateError('invalid-transition', input.withdrawalId, w.status);
    const reason = input.reason.trim() === '' ? w.review_reason : `${w.review_reason ? w.review_reason + '; ' : ''}rejected by ${input.by}: ${input.reason.trim()}`;
    const next = await transition(tx, w, { [auditColumn[input.by]]: AuditStatus.Rejected, status: WithdrawStatus.Rejected, review_reason: reason, updated_at: nowMs });
    await postJournal(tx, { refType: 'withdrawal', refId: Number(w.id), reason: 'withdraw.reject', postings: await unlockPostings(tx, w), nowMs });
    await notifyWithdrawal(tx, next, nowMs);
    return next;
  });
  ctx.notifier.wake();
  return w;
}

/**
 * True when a withdrawal in this state may still be cancelled: nothing was signed for it yet.
 * That includes an on-chain withdrawal held by KYT (7 awaiting screening, 8 manual review):
 * it reaches the chain worker only once released to status 1.
 */
export function isCancellable(w: Pick<Withdrawal, 'status' | 'withdraw_type' | 'txid'>): boolean {
  if (w.status === WithdrawStatus.Review) return true;
  if ((w.status === WithdrawStatus.AwaitingKyt || w.status === WithdrawStatus.KytManualReview) && w.txid === '') return true;
  // Paying on chain but not broadcast yet: the chain worker claims a row by setting its txid.
  return w.status === WithdrawStatus.Paying && w.withdraw_type === WithdrawType.OnChain && w.txid === '';
}

/**
 * Cancels a withdrawal under review, held by KYT (7/8), or an on-chain one approved but not
 * yet broadcast (txid empty): status 6, funds back from lock to normal.
 * @throws WithdrawalStateError when unknown or past that point.
 */
export async function cancelWithdrawal(ctx: ServiceContext, input: { withdrawalId: number }): Promise<Withdrawal> {
  const w = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockExisting(tx, input.withdrawalId);
    if (!isCancellable(w)) throw new WithdrawalStateError('invalid-transition', input.withdrawalId, w.status);
    const next = await transition(tx, w, { status: WithdrawStatus.Cancelled, updated_at: nowMs });
    await postJournal(tx, { refType: 'withdrawal', refId: Number(w.id), reason: 'withdraw.cancel', postings: await unlockPostings(tx, w), nowMs });
    await notifyWithdrawal(tx, next, nowMs);
    return next;
  });
  ctx.notifier.wake();
  return w;
}

/** A withdrawal as operators review it: the list-record fields plus who asked and why it waits. */
export type ReviewItem = Awaited<ReturnType<typeof withdrawRecord>> & { app_id: string; merchant_id: number; review_reason: string };

/** The app_id of each merchant, read once per listing. */
export class MerchantAppIds {
  readonly #byId = new Map<number, string | undefined>();
  constructor(private readonly db: Db) {}

  async of(merchantId: number): Promise<string | undefined> {
    if (!this.#byId.has(merchantId)) this.#byId.set(merchantId, (await findMerchantById(this.db, merchantId))?.app_id);
    return this.#byId.get(merchantId);
  }
}

/** Withdrawals under review (status 0), oldest first, `limit` (≤ reviewPageSizeMax) after `afterId`. */
export async function listWithdrawalsForReview(ctx: ServiceContext, options: { afterId?: number; limit?: number } = {}): Promise<ReviewItem[]> {
  const db = ctx.store.db;
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? reviewPageSizeMax)), reviewPageSizeMax);
  const rows = await listWithdrawalsByStatus(db, { statuses: [WithdrawStatus.Review], afterId: options.afterId ?? 0, limit });
  const coins = new CoinLookup(db);
  const appIds = new MerchantAppIds(db);
  const out: ReviewItem[] = [];
  for (const w of rows) {
    const appId = await appIds.of(Number(w.merchant_id));
    // Every withdrawal has its merchant (foreign key); one without would not be reviewable.
    if (appId === undefined) continue;
    out.push({ ...(await withdrawRecord(w, coins)), app_id: appId, merchant_id: Number(w.merchant_id), review_reason: w.review_reason });
  }
  return out;
}

/** One withdrawal by id, or undefined. */
export function findWithdrawal(db: Db, withdrawalId: number): Promise<Withdrawal | undefined> {
  return findWithdrawalById(db, withdrawalId);
}
