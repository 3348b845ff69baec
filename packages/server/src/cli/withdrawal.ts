import { listWithdrawalsForReview } from '../modules/withdrawals/index.js';
import { decideWithdrawalAction, showWithdrawalAction, type WithdrawalView } from '../operator/actions.js';
import { describe, exitCode, group, idArg, leaf, print, str, table, UsageError, type Parsed } from './args.js';
import { withAuditedContext } from './audited.js';
import { withContext } from './context.js';
import { cliActor } from '../operator/actor-of.js';

function auditor(p: Parsed, command: string): 'saas' | 'company' {
  const by = str(p, 'by') ?? 'saas';
  if (by !== 'saas' && by !== 'company') throw new UsageError(`--by must be saas or company, not "${by}"`, command);
  return by;
}

const human = (w: WithdrawalView) => describe(w);

const listCommand = leaf({
  name: 'withdrawal list',
  role: 'viewer',
  summary: 'withdrawals waiting for review (status 0)',
  help: `withdrawal list [--after-id N] [--limit N]`,
  options: { 'after-id': { type: 'string' }, limit: { type: 'string' } },
  async run(p, io) {
    const after = str(p, 'after-id');
    const limit = str(p, 'limit');
    const rows = await withContext(io, (ctx) =>
      listWithdrawalsForReview(ctx, {
        ...(after !== undefined ? { afterId: idArg(after, '--after-id', 'withdrawal list') } : {}),
        ...(limit !== undefined ? { limit: idArg(limit, '--limit', 'withdrawal list') } : {}),
      }),
    );
    print(io, p, rows, () => table(
        rows.map((r) => ({ ...r, approvals: `${r.approvals_given}/${r.approvals_required}` })),
        ['id', 'app_id', 'request_id', 'uid', 'symbol', 'amount', 'address_to', 'saas_status', 'company_status', 'approvals', 'review_reason'],
        "(none waiting for review: this lists only withdrawals in review; 'withdrawal show ID' shows any one)",
      ));
    return exitCode.ok;
  },
});

const show = leaf({
  name: 'withdrawal show',
  role: 'viewer',
  summary: 'one withdrawal',
  help: 'withdrawal show <id>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const id = idArg(p.positionals[0], 'withdrawal id', 'withdrawal show');
    const w = await withContext(io, (ctx) => showWithdrawalAction(ctx, id));
    print(io, p, w, () => human(w));
    return exitCode.ok;
  },
});

const approve = leaf({
  name: 'withdrawal approve',
  role: 'reviewer',
  summary: 'approve a withdrawal under review (as platform or merchant auditor)',
  help: `withdrawal approve <id> [--by saas|company]

A withdrawal under review pays out once both sides approved it: the platform's (saas) once
as many distinct reviewers approved it as its approval policy requires, the merchant's
(company) with one approval. The same reviewer cannot approve twice.

  --by saas|company   which side to record (default saas)`,
  options: { by: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const id = idArg(p.positionals[0], 'withdrawal id', 'withdrawal approve');
    const by = auditor(p, 'withdrawal approve');
    const w = await withAuditedContext(io, { action: 'withdrawal approve', target: `/withdrawals/${id}` }, async (ctx, note) => {
      const before = await showWithdrawalAction(ctx, id);
      const after = await decideWithdrawalAction(ctx, { withdrawalId: id, actor: cliActor(), action: 'approve', by });
      note({ before, after });
      return after;
    });
    print(io, p, w, () => human(w));
    return exitCode.ok;
  },
});

const reject = leaf({
  name: 'withdrawal reject',
  role: 'reviewer',
  summary: 'reject a withdrawal under review; the funds return to the user',
  help: `withdrawal reject <id> [--by saas|company] [--reason TEXT]`,
  options: { by: { type: 'string' }, reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const id = idArg(p.positionals[0], 'withdrawal id', 'withdrawal reject');
    const by = auditor(p, 'withdrawal reject');
    const w = await withAuditedContext(io, { action: 'withdrawal reject', target: `/withdrawals/${id}` }, async (ctx, note) => {
      const before = await showWithdrawalAction(ctx, id);
      const after = await decideWithdrawalAction(ctx, { withdrawalId: id, actor: cliActor(), action: 'reject', by, reason: str(p, 'reason') ?? '' });
      note({ before, after });
      return after;
    });
    print(io, p, w, () => human(w));
    return exitCode.ok;
  },
});

const cancel = leaf({
  name: 'withdrawal cancel',
  role: 'reviewer',
  summary: 'cancel a withdrawal not yet broadcast; the funds return to the user',
  help: 'withdrawal cancel <id>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const id = idArg(p.positionals[0], 'withdrawal id', 'withdrawal cancel');
    const w = await withAuditedContext(io, { action: 'withdrawal cancel', target: `/withdrawals/${id}` }, async (ctx, note) => {
      const before = await showWithdrawalAction(ctx, id);
      const after = await decideWithdrawalAction(ctx, { withdrawalId: id, actor: cliActor(), action: 'cancel' });
      note({ before, after });
      return after;
    });
    print(io, p, w, () => human(w));
    return exitCode.ok;
  },
});

export const withdrawal = group('withdrawal', 'review withdrawals', { list: listCommand, show, approve, reject, cancel });
