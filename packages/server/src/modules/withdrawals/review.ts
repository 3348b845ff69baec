import { AuditStatus, WithdrawStatus, WithdrawType } from '@openwaas/sdk';
import type { WithdrawalApprovalDeps, WithdrawalDecisionDeps, WithdrawalReadDeps } from './deps.js';
import { CoinLookup } from '../coins/index.js';
import { postJournal } from '../ledger/index.js';
import { findMerchantById } from '../merchants/index.js';
import { withdrawRecord } from '../records/index.js';
import { approvalsShownMax, reviewPageSizeMax } from '../../limits.js';
import type { PolicyHit } from '../policies/index.js';
import { recordedHits } from './spending.js';
import { inTransaction, type Db, type Tx } from '../../store/tx.js';
import { afterApproval } from './approval.js';
import { WithdrawalStateError } from './errors.js';
import { notifyWithdrawal } from './notify.js';
import { unlockPostings } from './postings.js';
import { findWithdrawalById, insertApprovalRecord, listApprovalRecords, listApproverIds, listWithdrawalsByStatus, lockWithdrawal, updateWithdrawalIf, type ApprovalRecordRow, type WithdrawalRecord, type WithdrawalRecordUpdate } from './repository.js';
import type { Actor } from '../operators/index.js';

/**
 * Which side of a withdrawal's review a decision records: the platform's reviewers ("saas",
 * saas_status) or the merchant's own approval ("company", company_status) as an operator records
 * it for the merchant.
 */
export type Auditor = 'saas' | 'company';

const auditColumn = { saas: 'saas_status', company: 'company_status' } as const;

/** Reads a withdrawal under its row lock. @throws WithdrawalStateError when unknown. */
async function lockExisting(tx: Tx, withdrawalId: number): Promise<WithdrawalRecord> {
  const w = await lockWithdrawal(tx, withdrawalId);
  if (!w) throw new WithdrawalStateError('not-found', withdrawalId);
  return w;
}

/** Updates a withdrawal only if its status and txid are still the ones read; a miss means another transition won. */
async function transition(tx: Tx, w: WithdrawalRecord, set: Pick<WithdrawalRecordUpdate, 'status' | 'saas_status' | 'company_status' | 'review_reason' | 'updated_at'>): Promise<WithdrawalRecord> {
  const row = await updateWithdrawalIf(tx, { id: Number(w.id), status: w.status, txid: w.txid }, set);
  if (!row) throw new WithdrawalStateError('invalid-transition', Number(w.id), w.status, `withdrawal ${w.id} changed concurrently`);
  return row;
}

function record(w: WithdrawalRecord, input: { side: Auditor; decision: 'approve' | 'reject'; actor: Actor; reason?: string; nowMs: number }): ApprovalRecordRow {
  return {
    withdrawal_id: Number(w.id),
    side: input.side,
    decision: input.decision,
    operator_id: input.actor.operatorId,
    operator_name: input.actor.name,
    source_ip: input.actor.sourceIp,
    reason: input.reason ?? '',
    created_at: input.nowMs,
  };
}

/**
 * Approves a withdrawal under review for one side, as `actor`. The platform side ("saas", the
 * default) is approved once `approvals_required` distinct reviewers approved it (fixed when the
 * withdrawal was requested, from its approval policy); the merchant's side ("company") by one
 * approval. When both sides are approved it becomes status 1 (on-chain, for the chain worker)
 * or settles at once (internal, status 5), with its notification. Every approval is recorded
 * with its operator. Approving a side already approved changes nothing (as before quorums).
 * @throws WithdrawalStateError not-found, invalid-transition (not under review), already-approved
 *   (this operator's approval already counts toward the quorum: another reviewer must give the next).
 */
export async function approveWithdrawal(ctx: WithdrawalApprovalDeps, input: { withdrawalId: number; actor: Actor; by?: Auditor }): Promise<WithdrawalRecord> {
  const side = input.by ?? 'saas';
  const result = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockExisting(tx, input.withdrawalId);
    if (w.status !== WithdrawStatus.Review) throw new WithdrawalStateError('invalid-transition', input.withdrawalId, w.status);
    const column = auditColumn[side];
    if (w[column] === AuditStatus.Approved) return { w, changed: false };
    const approvers = await listApproverIds(tx, Number(w.id), side);
    if (approvers.includes(input.actor.operatorId)) {
      throw new WithdrawalStateError(
        'already-approved',
        input.withdrawalId,
        w.status,
        `${input.actor.name} (operator ${input.actor.operatorId}) already approved withdrawal ${w.id}: ${approvers.length} of ${w.approvals_required} approvals given, the next must come from another reviewer`,
      );
    }
    await insertApprovalRecord(tx, record(w, { side, decision: 'approve', actor: input.actor, nowMs }));
    const needed = side === 'saas' ? w.approvals_required : 1;
    if (approvers.length + 1 < needed) {
      // A partial quorum changes no status the merchant sees: no notification.
      return { w: await transition(tx, w, { updated_at: nowMs }), changed: false };
    }
    const other = side === 'saas' ? w.company_status : w.saas_status;
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
 * Rejects a withdrawal under review for one side, as `actor`: one rejection ends it, whatever
 * approvals it had — status 2, funds back from lock to normal, notification, the rejection
 * recorded with its operator.
 * @throws WithdrawalStateError when unknown or not under review.
 */
export async function rejectWithdrawal(ctx: WithdrawalDecisionDeps, input: { withdrawalId: number; actor: Actor; by?: Auditor; reason: string }): Promise<WithdrawalRecord> {
  const side = input.by ?? 'saas';
  const w = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockExisting(tx, input.withdrawalId);
    if (w.status !== WithdrawStatus.Review) throw new WithdrawalStateError('invalid-transition', input.withdrawalId, w.status);
    const given = input.reason.trim();
    const reason = given === '' ? w.review_reason : `${w.review_reason ? w.review_reason + '; ' : ''}rejected by ${side} (${input.actor.name}): ${given}`;
    await insertApprovalRecord(tx, record(w, { side, decision: 'reject', actor: input.actor, reason: given, nowMs }));
    const next = await transition(tx, w, { [auditColumn[side]]: AuditStatus.Rejected, status: WithdrawStatus.Rejected, review_reason: reason, updated_at: nowMs });
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
export function isCancellable(w: Pick<WithdrawalRecord, 'status' | 'withdraw_type' | 'txid'>): boolean {
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
export async function cancelWithdrawal(ctx: WithdrawalDecisionDeps, input: { withdrawalId: number }): Promise<WithdrawalRecord> {
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

/** One review decision as operators see it. */
export interface ReviewDecision {
  side: Auditor;
  decision: 'approve' | 'reject';
  operator_id: number;
  operator_name: string;
  reason: string;
  created_at: number;
}

/** Where a withdrawal's review stands: the quorum, the decisions taken, the spending rules it broke. */
export interface ReviewState {
  /** Distinct platform reviewers needed (saas_status). */
  approvals_required: number;
  /** Distinct platform reviewers who approved so far. */
  approvals_given: number;
  /** Platform approvals still needed before saas_status is approved (0 once reached). */
  approvals_needed: number;
  /** Names of the platform reviewers who approved so far, in the order they did. */
  approved_by: string[];
  decisions: ReviewDecision[];
  /** The spending rules that sent it to review, with their figures (empty: none). */
  policy_hits: PolicyHit[];
}

/** The review state of each of `rows`, by id. */
export async function reviewStates(db: Db, rows: readonly WithdrawalRecord[]): Promise<Map<number, ReviewState>> {
  const records = await listApprovalRecords(db, rows.map((w) => Number(w.id)), approvalsShownMax);
  const out = new Map<number, ReviewState>();
  for (const w of rows) {
    const mine = records.filter((r) => r.withdrawal_id === Number(w.id));
    const approvers = new Map<number, string>();
    for (const r of mine) if (r.side === 'saas' && r.decision === 'approve' && !approvers.has(r.operator_id)) approvers.set(r.operator_id, r.operator_name);
    out.set(Number(w.id), {
      approvals_required: w.approvals_required,
      approvals_given: approvers.size,
      approvals_needed: w.saas_status === AuditStatus.Approved ? 0 : Math.max(0, w.approvals_required - approvers.size),
      approved_by: [...approvers.values()],
      decisions: mine.map((r) => ({ side: r.side, decision: r.decision, operator_id: r.operator_id, operator_name: r.operator_name, reason: r.reason, created_at: r.created_at })),
      policy_hits: recordedHits(w),
    });
  }
  return out;
}

/** The review state of one withdrawal. */
export async function reviewStateOf(db: Db, w: WithdrawalRecord): Promise<ReviewState> {
  return (await reviewStates(db, [w])).get(Number(w.id))!;
}

/** A withdrawal as operators review it: the list-record fields plus who asked, why it waits and where its review stands. */
export type ReviewItem = Awaited<ReturnType<typeof withdrawRecord>> & { app_id: string; merchant_id: number; review_reason: string } & ReviewState;

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
export async function listWithdrawalsForReview(ctx: WithdrawalReadDeps, options: { afterId?: number; limit?: number } = {}): Promise<ReviewItem[]> {
  const db = ctx.store.db;
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? reviewPageSizeMax)), reviewPageSizeMax);
  const rows = await listWithdrawalsByStatus(db, { statuses: [WithdrawStatus.Review], afterId: options.afterId ?? 0, limit });
  const coins = new CoinLookup(db);
  const appIds = new MerchantAppIds(db);
  const states = await reviewStates(db, rows);
  const out: ReviewItem[] = [];
  for (const w of rows) {
    const appId = await appIds.of(Number(w.merchant_id));
    // Every withdrawal has its merchant (foreign key); one without would not be reviewable.
    if (appId === undefined) continue;
    out.push({ ...(await withdrawRecord(w, coins)), app_id: appId, merchant_id: Number(w.merchant_id), review_reason: w.review_reason, ...states.get(Number(w.id))! });
  }
  return out;
}

/** One withdrawal by id, or undefined. */
export function findWithdrawal(db: Db, withdrawalId: number): Promise<WithdrawalRecord | undefined> {
  return findWithdrawalById(db, withdrawalId);
}
