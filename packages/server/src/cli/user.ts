import { setUserFlagsAction, showUserAction, type UserView } from '../operator/actions.js';
import { describe, exitCode, group, idArg, leaf, print, table } from './args.js';
import { withAuditedContext } from './audited.js';
import { withContext } from './context.js';

function human(u: UserView): string {
  const { balances, ...rest } = u;
  return describe(rest) + '\nbalances:\n' + table(balances, ['symbol', 'normal', 'lock']);
}

function flagCommand(name: string, summary: string, flags: { frozen?: boolean; atRisk?: boolean }) {
  return leaf({
    name: `user ${name}`,
    role: 'reviewer',
    summary,
    help: `user ${name} <uid>`,
    positionals: { min: 1, max: 1 },
    async run(p, io) {
      const uid = idArg(p.positionals[0], 'uid', `user ${name}`);
      const flagsOf = (v: UserView) => ({ frozen: v.frozen, at_risk: v.at_risk });
      const u = await withAuditedContext(io, { action: `user ${name}`, target: `/users/${uid}` }, async (ctx, note) => {
        const before = flagsOf(await showUserAction(ctx, uid));
        const after = await setUserFlagsAction(ctx, uid, flags);
        note({ before, after: flagsOf(after) });
        return after;
      });
      print(io, p, u, () => human(u));
      return exitCode.ok;
    },
  });
}

const show = leaf({
  name: 'user show',
  role: 'viewer',
  summary: 'a user, its flags and balances',
  help: 'user show <uid>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const uid = idArg(p.positionals[0], 'uid', 'user show');
    const u = await withContext(io, (ctx) => showUserAction(ctx, uid));
    print(io, p, u, () => human(u));
    return exitCode.ok;
  },
});

export const user = group('user', "inspect users and set their risk flags", {
  show,
  freeze: flagCommand('freeze', 'freeze a user: withdrawals answer 110004', { frozen: true }),
  unfreeze: flagCommand('unfreeze', 'unfreeze a user', { frozen: false }),
  risk: flagCommand('risk', 'flag a user at risk: withdrawals answer 900006', { atRisk: true }),
  unrisk: flagCommand('unrisk', 'clear the at-risk flag', { atRisk: false }),
});
