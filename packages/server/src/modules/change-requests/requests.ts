/**
 * Change requests: four eyes for sensitive admin changes. An admin's change (a merchant's
 * callback URLs or key, a coin, a blacklist removal, roles, policies, a large manual
 * adjustment) is stored as a pending request with the record before it; a second admin
 * approves it (the change is applied then, by the caller's `apply`, in the transaction that
 * marks the request approved: exactly once, however many approve at the same time) or
 * rejects it (nothing changes). The requester never decides their own request.
 */
import { AdminError } from '../../errors/admin-errors.js';
import { adminListLimitMax, changeRequestJsonLengthMax, changeRequestReasonLengthMax } from '../../limits.js';
import type { Store } from '../../store/db.js';
import { inTransaction, type Db, type Tx } from '../../store/tx.js';
import type { Actor } from '../operators/index.js';
import { countChangeRequestsInState, findChangeRequest, insertChangeRequest, listChangeRequestRows, lockChangeRequest, updateChangeRequest, type ChangeRequestRow } from './repository.js';

/** pending → approved (applied) | failed (approved, but the action refused it: nothing changed) | rejected. */
export const changeRequestStates = ['pending', 'approved', 'rejected', 'failed'] as const;
export type ChangeRequestState = (typeof changeRequestStates)[number];

/** A change request as the operator API and the CLI show it. */
export interface ChangeRequestView {
  id: number;
  /** What kind of change, e.g. "merchant.update" (the route it stands for is in the audit trail). */
  kind: string;
  /** The record it changes, e.g. "/merchants/app1". */
  target: string;
  /** The requested change, as the route's request gave it. */
  change: unknown;
  /** The record when the change was requested (null: it did not exist). */
  before: unknown;
  state: ChangeRequestState;
  requested_by: { id: number; name: string };
  decided_by: { id: number; name: string } | null;
  /** The decider's reason (a rejection's; optional on approval). */
  reason: string | null;
  /** The record after the change (approved). */
  result: unknown;
  /** Why the approved change did not apply (failed). */
  error: { code: string; message: string } | null;
  created_at: number;
  decided_at: number | null;
}

const parse = (json: string | null): unknown => (json === null ? null : JSON.parse(json));

function toJson(value: unknown, what: string): string {
  const json = JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (json.length > changeRequestJsonLengthMax) throw AdminError.invalid(`${what} is longer than ${changeRequestJsonLengthMax} characters of JSON`);
  return json;
}

function view(row: ChangeRequestRow): ChangeRequestView {
  return {
    id: Number(row.id),
    kind: row.kind,
    target: row.target,
    change: parse(row.change_json),
    before: parse(row.before_json),
    state: row.state as ChangeRequestState,
    requested_by: { id: Number(row.requested_by_id), name: row.requested_by_name },
    decided_by: row.decided_by_id === null ? null : { id: Number(row.decided_by_id), name: row.decided_by_name ?? '' },
    reason: row.reason,
    result: parse(row.result_json),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    created_at: Number(row.created_at),
    decided_at: row.decided_at === null ? null : Number(row.decided_at),
  };
}

/** Stores a pending request of `actor`; nothing else changes. */
export async function requestChange(db: Db, input: { kind: string; target: string; change: unknown; before: unknown; actor: Actor; nowMs: number }): Promise<ChangeRequestView> {
  const row = await insertChangeRequest(db, {
    kind: input.kind,
    target: input.target,
    change_json: toJson(input.change, 'the change'),
    before_json: input.before === undefined ? null : toJson(input.before, 'the record before'),
    requested_by_id: input.actor.operatorId,
    requested_by_name: input.actor.name,
    state: 'pending',
    created_at: input.nowMs,
  });
  return view(row);
}

export async function getChangeRequest(db: Db, id: number): Promise<ChangeRequestView> {
  const row = await findChangeRequest(db, id);
  if (!row) throw AdminError.notFound(`change request ${id}`);
  return view(row);
}

/** Requests oldest first, optionally of one state; `afterId` pages on. */
export async function listChangeRequests(db: Db, filter: { state?: ChangeRequestState; afterId?: number; limit?: number } = {}): Promise<ChangeRequestView[]> {
  const limit = Math.min(filter.limit ?? adminListLimitMax, adminListLimitMax);
  const rows = await listChangeRequestRows(db, { ...(filter.state !== undefined ? { state: filter.state } : {}), afterId: filter.afterId ?? 0, limit });
  return rows.map(view);
}

/** Change requests waiting for a second admin. */
export function countPendingChangeRequests(db: Db): Promise<number> {
  return countChangeRequestsInState(db, 'pending' satisfies ChangeRequestState);
}

/** How a decision is made: by whom, and for an approval the action that applies the change. */
export interface ChangeDecision {
  id: number;
  actor: Actor;
  decision: 'approve' | 'reject';
  reason?: string;
  nowMs: number;
  /** Applies the change inside `tx` (approve only); its result is stored as the request's result. */
  apply: (tx: Tx, request: ChangeRequestView) => Promise<unknown>;
  /** The code and message of an expected refusal of `apply` (undefined: a bug, which is thrown and leaves the request pending). */
  refusalOf: (error: unknown) => { code: string; message: string } | undefined;
}

async function lockPending(tx: Tx, input: ChangeDecision): Promise<ChangeRequestRow> {
  const row = await lockChangeRequest(tx, input.id);
  if (!row) throw AdminError.notFound(`change request ${input.id}`);
  if (row.state !== 'pending') throw new AdminError('conflict', `change request ${input.id} is ${row.state} already`);
  if (Number(row.requested_by_id) === input.actor.operatorId) {
    throw new AdminError('own_change_request', `change request ${input.id} was requested by ${row.requested_by_name}: another admin decides it`);
  }
  return row;
}

/**
 * Approves (applies) or rejects a pending request, as another admin than its requester. The
 * request's row is locked, so concurrent deciders queue and every one after the first finds
 * it decided (conflict). An expected refusal of the change rolls the change back and marks the
 * request failed with the refusal; the refusal is not thrown, the answer says it.
 */
export async function decideChangeRequest(store: Store, input: ChangeDecision): Promise<ChangeRequestView> {
  const reason = input.reason?.trim() ?? '';
  if (reason.length > changeRequestReasonLengthMax) throw AdminError.invalid(`reason is longer than ${changeRequestReasonLengthMax} characters`);
  const decided = { decided_by_id: input.actor.operatorId, decided_by_name: input.actor.name, decided_at: input.nowMs, reason: reason === '' ? null : reason };
  let refusal: { code: string; message: string } | undefined;
  try {
    return await inTransaction(store, async (tx) => {
      const row = await lockPending(tx, input);
      if (input.decision === 'reject') {
        if (reason === '') throw AdminError.invalid('a rejection needs a reason');
        return view(await updateChangeRequest(tx, Number(row.id), { ...decided, state: 'rejected' }));
      }
      let result: unknown;
      try {
        result = await input.apply(tx, view(row));
      } catch (error) {
        refusal = input.refusalOf(error);
        throw error;
      }
      return view(await updateChangeRequest(tx, Number(row.id), { ...decided, state: 'approved', result_json: toJson(result, 'the result') }));
    });
  } catch (error) {
    if (!refusal) throw error;
  }
  // The change was refused and rolled back: the request is decided as failed, in a transaction of its own.
  const failed = refusal;
  return inTransaction(store, async (tx) => {
    const row = await lockPending(tx, input);
    return view(await updateChangeRequest(tx, Number(row.id), { ...decided, state: 'failed', error_code: failed.code, error_message: failed.message }));
  });
}
