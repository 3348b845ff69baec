/**
 * `openwaas change`: change requests of sensitive admin changes (docs/operators.md "Change
 * requests"): list and show them (viewer); approve (the change applies then) or reject
 * (nothing changes) another admin's request (admin). Each decision is in the audit trail.
 */
import { changeRequestStates, decideChangeRequest, getChangeRequest, listChangeRequests, type ChangeRequestState, type ChangeRequestView } from '../modules/change-requests/index.js';
import { cliActor } from '../operator/actor-of.js';
import { applyChangeRequest, refusalOf } from '../operator/four-eyes.js';
import { describe, exitCode, group, idArg, leaf, need, print, str, table, UsageError, type Io, type Parsed } from './args.js';
import { withAuditedContext } from './audited.js';
import { withContext } from './context.js';

const human = (r: ChangeRequestView) =>
  describe({
    id: r.id,
    kind: r.kind,
    target: r.target,
    state: r.state,
    requested_by: r.requested_by.name,
    change: JSON.stringify(r.change),
    before: JSON.stringify(r.before),
    decided_by: r.decided_by?.name ?? null,
    reason: r.reason,
    result: r.result === null ? null : JSON.stringify(r.result),
    error: r.error === null ? null : `${r.error.code}: ${r.error.message}`,
    created_at: r.created_at,
    decided_at: r.decided_at,
  });

const listCommand = leaf({
  name: 'change list',
  role: 'viewer',
  summary: 'change requests, oldest first',
  help: `change list [--state pending|approved|rejected|failed]`,
  options: { state: { type: 'string' } },
  async run(p, io) {
    const state = str(p, 'state');
    if (state !== undefined && !(changeRequestStates as readonly string[]).includes(state)) throw new UsageError(`--state must be one of ${changeRequestStates.join(', ')}`, 'change list');
    const rows = await withContext(io, (ctx) => listChangeRequests(ctx.store.db, state !== undefined ? { state: state as ChangeRequestState } : {}));
    print(io, p, rows, () => table(rows.map((r) => ({ id: r.id, state: r.state, kind: r.kind, target: r.target, requested_by: r.requested_by.name, decided_by: r.decided_by?.name ?? '' })), ['id', 'state', 'kind', 'target', 'requested_by', 'decided_by']));
    return exitCode.ok;
  },
});

const show = leaf({
  name: 'change show',
  role: 'viewer',
  summary: 'a change request: the change, the record before it, who asked and who decided',
  help: 'change show <id>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const r = await withContext(io, (ctx) => getChangeRequest(ctx.store.db, idArg(p.positionals[0], 'id', 'change show')));
    print(io, p, r, () => human(r));
    return exitCode.ok;
  },
});

async function decide(p: Parsed, io: Io, decision: 'approve' | 'reject'): Promise<number> {
  const command = `change ${decision}`;
  const id = idArg(p.positionals[0], 'id', command);
  const reason = decision === 'reject' ? need(p, 'reason', command) : str(p, 'reason');
  const r = await withAuditedContext(io, { action: command, target: `/change-requests/${id}` }, async (ctx, note) => {
    const actor = cliActor();
    const decided = await decideChangeRequest(ctx.store, {
      id,
      actor,
      decision,
      ...(reason !== undefined ? { reason } : {}),
      nowMs: ctx.clock.nowMs(),
      apply: (tx, pending) => applyChangeRequest(ctx, tx, pending, actor),
      refusalOf,
    });
    note({ before: { kind: decided.kind, target: decided.target, record: decided.before }, after: { state: decided.state, record: decided.result, error: decided.error } });
    return decided;
  });
  print(io, p, r, () => human(r));
  return exitCode.ok;
}

const approve = leaf({
  name: 'change approve',
  role: 'admin',
  summary: "approve another admin's change request: the change applies now",
  help: `change approve <id> [--reason TEXT]

The change is applied as it was requested, in the transaction that marks the request approved.
If the change is refused then (say a debit larger than the balance), the request is marked
failed with the refusal, and nothing changes.`,
  options: { reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: (p, io) => decide(p, io, 'approve'),
});

const reject = leaf({
  name: 'change reject',
  role: 'admin',
  summary: "reject another admin's change request: nothing changes",
  help: 'change reject <id> --reason TEXT',
  options: { reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  run: (p, io) => decide(p, io, 'reject'),
});

export const change = group('change', 'Change requests: a second admin approves or rejects sensitive admin changes.', { list: listCommand, show, approve, reject });
