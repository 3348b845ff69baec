import { decideHeldAction, listHeldAction } from '../modules/kyt/index.js';
import type { ReviewSide } from '../modules/kyt/index.js';
import { describe, exitCode, group, idArg, leaf, need, print, str, table, UsageError, type Parsed } from './args.js';
import { withAuditedContext } from './audited.js';
import { withContext } from './context.js';

function sideArg(p: Parsed, command: string): ReviewSide {
  const side = p.positionals[0];
  if (side !== 'deposit' && side !== 'withdrawal') throw new UsageError(`say deposit or withdrawal, not "${side ?? ''}"`, command);
  return side;
}

const listCommand = leaf({
  name: 'kyt list',
  role: 'viewer',
  summary: 'deposits and withdrawals held by KYT screening',
  help: `kyt list [deposit|withdrawal] [--after-id N] [--limit N]

Deposits held by KYT: 4 awaiting screening, 5 manual review (risk), 6 manual review (circuit
breaker). Withdrawals: 7 awaiting screening, 8 manual review (risk). Oldest first.

  deposit|withdrawal   list only one kind (needed with --after-id: ids are per kind)
  --after-id N         page on after this id
  --limit N            at most N of each kind (default and maximum 500)`,
  options: { 'after-id': { type: 'string' }, limit: { type: 'string' } },
  positionals: { min: 0, max: 1 },
  async run(p, io) {
    const side = p.positionals.length > 0 ? sideArg(p, 'kyt list') : undefined;
    const after = str(p, 'after-id');
    const limit = str(p, 'limit');
    if (after !== undefined && side === undefined) throw new UsageError('--after-id needs deposit or withdrawal', 'kyt list');
    const held = await withContext(io, (ctx) =>
      listHeldAction(ctx, {
        ...(side !== undefined ? { side } : {}),
        ...(after !== undefined ? { afterId: idArg(after, '--after-id', 'kyt list') } : {}),
        ...(limit !== undefined ? { limit: idArg(limit, '--limit', 'kyt list') } : {}),
      }),
    );
    print(io, p, held, () => {
      const parts: string[] = [];
      if (side !== 'withdrawal') parts.push('Deposits\n' + table(held.deposits, ['id', 'app_id', 'uid', 'symbol', 'amount', 'address_from', 'txid', 'status', 'review_reason']));
      if (side !== 'deposit') parts.push('Withdrawals\n' + table(held.withdrawals, ['id', 'app_id', 'request_id', 'uid', 'symbol', 'amount', 'address_to', 'status', 'kyt_reason']));
      return parts.join('\n');
    });
    return exitCode.ok;
  },
});

const release = leaf({
  name: 'kyt release',
  role: 'reviewer',
  summary: 'release a held deposit (credit it) or withdrawal (pay it)',
  help: `kyt release deposit|withdrawal <id>

A deposit held at 4, 5 or 6 is credited to its user (or the merchant's collection account
with auto-collection) and becomes 1. A withdrawal held at 7 or 8 becomes 1 and is paid by
the running service's chain worker.`,
  positionals: { min: 2, max: 2 },
  async run(p, io) {
    const side = sideArg(p, 'kyt release');
    const id = idArg(p.positionals[1], `${side} id`, 'kyt release');
    const record = await withAuditedContext(io, { action: 'kyt release', target: `/kyt/${side}s/${id}` }, async (ctx, note) => {
      const after = await decideHeldAction(ctx, { side, id, action: 'release', by: 'cli' });
      note({ after });
      return after;
    });
    print(io, p, record, () => describe(record));
    return exitCode.ok;
  },
});

const reject = leaf({
  name: 'kyt reject',
  role: 'reviewer',
  summary: 'reject a held deposit or withdrawal',
  help: `kyt reject deposit|withdrawal <id> --reason TEXT

A deposit held at 4, 5 or 6 becomes 2 (failed) with the reason. Its funds are NOT credited to
anyone: they stay in the suspense account, and returning them to the sender is up to the
operator, outside this service.
A withdrawal held at 7 or 8 becomes 2 (rejected); its locked funds return to the user.

  --reason TEXT   why (required; stored with the record)`,
  options: { reason: { type: 'string' } },
  positionals: { min: 2, max: 2 },
  async run(p, io) {
    const side = sideArg(p, 'kyt reject');
    const id = idArg(p.positionals[1], `${side} id`, 'kyt reject');
    const reason = need(p, 'reason', 'kyt reject');
    const record = await withAuditedContext(io, { action: 'kyt reject', target: `/kyt/${side}s/${id}` }, async (ctx, note) => {
      const after = await decideHeldAction(ctx, { side, id, action: 'reject', reason, by: 'cli' });
      note({ after });
      return after;
    });
    print(io, p, record, () => describe(record));
    return exitCode.ok;
  },
});

export const kyt = group('kyt', 'deposits and withdrawals held by KYT screening', { list: listCommand, release, reject });
