import { listAdjustments } from '../modules/ledger/index.js';
import { describe, exitCode, group, idArg, leaf, need, print, str, table, UsageError } from './args.js';
import { runSensitiveCommand } from './sensitive.js';
import { withContext } from './context.js';

function adjust(direction: 'credit' | 'debit') {
  const name = `balance ${direction}`;
  return leaf({
    name,
    role: 'treasurer',
    summary: `${direction} a user's or collection account's balance by hand (journaled)`,
    help: `${name} <uid> <symbol> <amount> --reason TEXT
       ${name} --collection <app_id> <symbol> <amount> --reason TEXT

Moves <amount> (decimal, in the coin's units) ${direction === 'credit' ? 'into' : 'out of'} the available balance, journaled
as an adjustment against the external account.${direction === 'debit' ? ' A debit never takes the balance below zero.' : ''}

  --reason TEXT          why (required; kept in the journal)
  --collection APP_ID    the merchant's collection account instead of a user

The journal names the operator who ran the command, and the operator audit trail records it.`,
    options: { reason: { type: 'string' }, collection: { type: 'string' } },
    positionals: { min: 2, max: 3 },
    async run(p, io) {
      const reason = need(p, 'reason', name);
      const collection = str(p, 'collection');
      const args = [...p.positionals];
      if (collection === undefined && args.length !== 3) throw new UsageError('expected <uid> <symbol> <amount>', name);
      if (collection !== undefined && args.length !== 2) throw new UsageError('with --collection, expected <symbol> <amount>', name);
      const target = collection !== undefined ? { collectionAppId: collection } : { uid: idArg(args.shift(), 'uid', name) };
      const [symbol, amount] = args as [string, string];
      const where = 'uid' in target ? `/users/${target.uid}` : `/merchants/${encodeURIComponent(target.collectionAppId)}/collection`;
      // Above adjustmentReviewAbove, once two admins exist, the adjustment waits for a second admin.
      await runSensitiveCommand(io, p, {
        command: name,
        key: `POST /balances/${direction}`,
        target: where,
        raw: { body: { ...('uid' in target ? { uid: target.uid } : { app_id: target.collectionAppId }), symbol, amount, reason } },
        printApplied: (result) => ({ json: result, text: describe({ ...result, balance: `${result.balance.normal} (locked ${result.balance.lock})` }) }),
      });
      return exitCode.ok;
    },
  });
}

const history = leaf({
  name: 'balance adjustments',
  role: 'viewer',
  summary: 'recent manual adjustments',
  help: `balance adjustments [--limit N]`,
  options: { limit: { type: 'string' } },
  async run(p, io) {
    const limit = str(p, 'limit');
    const rows = await withContext(io, (ctx) => listAdjustments(ctx, limit === undefined ? 100 : idArg(limit, '--limit', 'balance adjustments')));
    print(io, p, rows, () => table(rows, ['journal_id', 'account_key', 'symbol', 'amount', 'memo', 'created_at']));
    return exitCode.ok;
  },
});

export const balance = group('balance', 'manual balance adjustments', { credit: adjust('credit'), debit: adjust('debit'), adjustments: history });
