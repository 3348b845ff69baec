/**
 * The operator views of withdrawal and deposit records beyond their list rows: a deposit's
 * detail and each record's timeline. A timeline is composed from what each owning module's
 * read operation returns — the record itself (withdrawals, deposits), its notifications (one
 * per status change the merchant was told of, with the record's fields at that change), its
 * review decisions, its chain transactions (chain-sends), and the operator actions on it
 * (operator-audit) — then put in time order. Shared by the operator API and the CLI.
 */
import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import type { ServiceContext } from '../context.js';
import type { TimelineEvent, DepositTimeline, WithdrawalTimeline, DepositDetail } from '../contracts/operator.js';
import { AdminError } from '../errors/admin-errors.js';
import { timelineSourceRowsMax } from '../limits.js';
import { chainTxView, listChainTxs } from '../modules/chain-sends/index.js';
import { depositDetail, findDeposit } from '../modules/deposits/index.js';
import { notificationsOfRecord, type NotificationView } from '../modules/notifications/index.js';
import { listOperatorAudit, type AuditEntryView } from '../modules/operator-audit/index.js';
import { findWithdrawal, reviewStateOf } from '../modules/withdrawals/index.js';
import type { ChainTxPurpose } from '../store/schema.js';
import type { Db } from '../store/tx.js';

const withdrawStatusNames: Record<number, string> = {
  [WithdrawStatus.Review]: 'under review',
  [WithdrawStatus.Paying]: 'paying',
  [WithdrawStatus.Rejected]: 'rejected',
  [WithdrawStatus.Failed]: 'failed',
  [WithdrawStatus.Succeeded]: 'succeeded',
  [WithdrawStatus.Cancelled]: 'cancelled',
  [WithdrawStatus.AwaitingKyt]: 'awaiting KYT screening',
  [WithdrawStatus.KytManualReview]: 'held by KYT for manual review',
};
const depositStatusNames: Record<number, string> = {
  [DepositStatus.Confirming]: 'confirming',
  [DepositStatus.Succeeded]: 'credited',
  [DepositStatus.Failed]: 'failed',
  [DepositStatus.AwaitingKyt]: 'awaiting KYT screening',
  [DepositStatus.KytManualReview]: 'held by KYT for manual review',
  [DepositStatus.CircuitBreakerReview]: 'held by the circuit breaker for manual review',
};

/** Events in time order; events at the same moment keep the order they were added in (cause before effect). */
function inTimeOrder(events: TimelineEvent[]): TimelineEvent[] {
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at_ms - b.e.at_ms || a.i - b.i).map(({ e }) => e);
}

/** A status notification and its delivery, as two events: the change told, and whether it arrived. */
function notificationEvents(n: NotificationView, statusNames: Record<number, string>): TimelineEvent[] {
  const status = Number(n.payload['status']);
  const name = statusNames[status] ?? `status ${n.payload['status'] ?? '?'}`;
  const out: TimelineEvent[] = [
    {
      at_ms: n.created_at,
      kind: 'status',
      summary: `status ${n.payload['status'] ?? '?'} (${name}), notified to the merchant`,
      detail: { notification_id: n.id, status, confirmations: n.payload['confirmations'] ?? null, txid: n.payload['txid'] ?? '' },
    },
  ];
  const delivery = { notification_id: n.id, state: n.state, attempts: n.attempts, last_error: n.last_error, ...(n.waiting ? { waiting: n.waiting } : {}) };
  if (n.state === 'delivered' && n.delivered_at !== null) {
    out.push({ at_ms: n.delivered_at, kind: 'notification', summary: `notification ${n.id} delivered after ${n.attempts} attempt${n.attempts === 1 ? '' : 's'}`, detail: delivery });
  } else if (n.state === 'failed') {
    out.push({ at_ms: n.next_attempt_at, kind: 'notification', summary: `notification ${n.id} failed after ${n.attempts} attempts: ${n.last_error}`, detail: delivery });
  } else {
    out.push({ at_ms: n.created_at, kind: 'notification', summary: `notification ${n.id} pending (${n.attempts} attempts so far)`, detail: delivery });
  }
  return out;
}

/** The operator actions recorded on any of `targets`, as events. */
async function auditEvents(db: Db, targets: readonly string[]): Promise<TimelineEvent[]> {
  const entries: AuditEntryView[] = [];
  for (const target of targets) entries.push(...(await listOperatorAudit(db, { filter: { target }, limit: timelineSourceRowsMax })));
  return entries.map((e) => ({
    at_ms: e.at,
    kind: 'operator' as const,
    summary: `${e.action}: ${e.outcome}${e.error_code ? ` (${e.error_code})` : ''}`,
    actor: e.operator_name,
    detail: { audit_id: e.id, action: e.action, target: e.target, outcome: e.outcome, before: e.before, after: e.after },
  }));
}

/** The chain transactions paying for `purpose` `refId`: each signed, broadcast and mined as it happened. */
async function chainTxEvents(db: Db, purpose: ChainTxPurpose, refId: number): Promise<TimelineEvent[]> {
  const out: TimelineEvent[] = [];
  const txs = (await listChainTxs(db, { purpose, refId, limit: timelineSourceRowsMax })).map(chainTxView).reverse();
  for (const tx of txs) {
    const detail = { chain_tx_id: tx.id, hash: tx.hash, state: tx.state, sequence: tx.sequence, block_number: tx.block_number, fee: tx.fee, replaces_id: tx.replaces_id };
    const what = `${purpose} transaction ${tx.hash} (sequence ${tx.sequence})`;
    out.push({ at_ms: tx.created_at, kind: 'chain_tx', summary: `${what} signed${tx.replaces_id !== null ? `, replacing transaction ${tx.replaces_id}` : ''}`, detail });
    if (tx.broadcast_at > 0) out.push({ at_ms: tx.broadcast_at, kind: 'chain_tx', summary: `${what} broadcast (${tx.broadcasts} time${tx.broadcasts === 1 ? '' : 's'})`, detail });
    if (tx.state !== 'signed' && tx.state !== 'broadcast') {
      const where = tx.block_number !== null ? ` in block ${tx.block_number}` : '';
      out.push({ at_ms: tx.updated_at, kind: 'chain_tx', summary: `${what} ${tx.state}${where}`, detail });
    }
  }
  return out;
}

/** The first notification telling one of `statuses`, if any. */
const firstNotified = (notifications: readonly NotificationView[], statuses: readonly number[]) => notifications.find((n) => statuses.includes(Number(n.payload['status'])));

/**
 * Every known event of withdrawal `id` in time order, and where its review quorum stands.
 * @throws AdminError not_found
 */
export async function withdrawalTimelineAction(ctx: Pick<ServiceContext, 'store'>, id: number): Promise<WithdrawalTimeline> {
  const db = ctx.store.db;
  const w = await findWithdrawal(db, id);
  if (!w) throw AdminError.notFound(`withdrawal ${id}`);
  const review = await reviewStateOf(db, w);
  const notifications = await notificationsOfRecord(db, { side: 'withdraw', recordId: id });
  const createdAt = Number(w.created_at);
  const events: TimelineEvent[] = [
    {
      at_ms: createdAt,
      kind: 'confirmation',
      summary: "requested by the merchant; stored only once the merchant's second confirmation (confirm_url, when set) agreed",
      actor: 'merchant',
      detail: { request_id: w.request_id, uid: Number(w.uid), symbol: w.symbol, address_to: w.address_to },
    },
    { at_ms: createdAt, kind: 'created', summary: `withdrawal ${id} created (request ${w.request_id})`, detail: { approvals_required: w.approvals_required } },
  ];
  if (review.policy_hits.length > 0 || w.review_reason !== '') {
    events.push({
      at_ms: createdAt,
      kind: 'policy',
      summary: review.policy_hits.length > 0 ? `sent to review by ${review.policy_hits.length} spending rule${review.policy_hits.length === 1 ? '' : 's'}: ${w.review_reason}` : `sent to review: ${w.review_reason}`,
      actor: 'policy',
      detail: { review_reason: w.review_reason, policy_hits: review.policy_hits, approvals_required: w.approvals_required },
    });
  }
  for (const d of review.decisions) {
    events.push({
      at_ms: d.created_at,
      kind: 'review',
      summary: `${d.decision === 'approve' ? 'approved' : 'rejected'} for the ${d.side === 'saas' ? 'platform' : "merchant's"} side${d.reason ? `: ${d.reason}` : ''}`,
      actor: d.operator_name,
      detail: d,
    });
  }
  if (w.kyt_reason !== '') {
    const held = firstNotified(notifications, [WithdrawStatus.KytManualReview]);
    events.push({ at_ms: held ? held.created_at : Number(w.updated_at), kind: 'kyt', summary: `KYT: ${w.kyt_reason}`, actor: 'kyt', detail: { kyt_reason: w.kyt_reason } });
  }
  for (const n of notifications) events.push(...notificationEvents(n, withdrawStatusNames));
  events.push(...(await chainTxEvents(db, 'withdrawal', id)));
  events.push(...(await auditEvents(db, [`/withdrawals/${id}`, `/kyt/withdrawals/${id}`])));
  return {
    withdrawal_id: id,
    status: w.status,
    quorum: { approvals_required: review.approvals_required, approvals_given: review.approvals_given, approvals_needed: review.approvals_needed, approved_by: review.approved_by },
    events: inTimeOrder(events),
  };
}

/**
 * Every known event of deposit `id` in time order.
 * @throws AdminError not_found
 */
export async function depositTimelineAction(ctx: Pick<ServiceContext, 'store'>, id: number): Promise<DepositTimeline> {
  const db = ctx.store.db;
  const d = await findDeposit(db, id);
  if (!d) throw AdminError.notFound(`deposit ${id}`);
  const notifications = await notificationsOfRecord(db, { side: 'deposit', recordId: id });
  const events: TimelineEvent[] = [
    {
      at_ms: Number(d.created_at),
      kind: 'created',
      summary: `deposit ${id} seen: transaction ${d.txid}${d.block_number !== null ? ` in block ${d.block_number}` : ''}`,
      detail: { txid: d.txid, tx_index: d.tx_index, address_to: d.address_to, address_from: d.address_from, withdrawal_id: d.withdrawal_id === null ? null : Number(d.withdrawal_id) },
    },
  ];
  if (d.review_reason !== '') {
    const held = firstNotified(notifications, [DepositStatus.AwaitingKyt, DepositStatus.KytManualReview, DepositStatus.CircuitBreakerReview, DepositStatus.Failed]);
    events.push({ at_ms: held ? held.created_at : Number(d.updated_at), kind: 'kyt', summary: `held or failed: ${d.review_reason}`, actor: 'kyt', detail: { kyt_reason: d.review_reason } });
  }
  for (const n of notifications) events.push(...notificationEvents(n, depositStatusNames));
  if (d.sweep_id !== null) events.push(...(await chainTxEvents(db, 'sweep', Number(d.sweep_id))));
  events.push(...(await auditEvents(db, [`/deposits/${id}`, `/kyt/deposits/${id}`])));
  return { deposit_id: id, status: d.status, events: inTimeOrder(events) };
}

/** One deposit as operators see it. @throws AdminError not_found */
export async function showDepositAction(ctx: Pick<ServiceContext, 'store'>, id: number): Promise<DepositDetail> {
  const d = await depositDetail(ctx.store.db, id);
  if (!d) throw AdminError.notFound(`deposit ${id}`);
  return d;
}
