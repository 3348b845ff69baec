import { alertView } from '../contracts/operator.js';
import { listAlerts, resolveAlertById } from '../modules/alerts/index.js';
import { CommandFailed, exitCode, flag, group, idArg, leaf, print, table } from './args.js';
import { withAuditedContext } from './audited.js';
import { withContext } from './context.js';

const listCommand = leaf({
  name: 'alerts list',
  role: 'viewer',
  summary: 'open operator alerts (hot wallet low, reorg after credit, failing sweeps)',
  help: `alerts list [--all]

Open alerts, newest first; --all includes resolved ones. An alert is raised again (count + 1)
while its condition lasts, and most resolve themselves (a refilled hot wallet).`,
  options: { all: { type: 'boolean' } },
  async run(p, io) {
    const rows = await withContext(io, (ctx) => listAlerts(ctx.store.db, { all: flag(p, 'all') }));
    // The operator API's alert view, plus when it was resolved for the table.
    const view = rows.map((a) => ({ ...alertView(a), resolved: a.resolved_at === null ? '' : new Date(Number(a.resolved_at)).toISOString() }));
    print(io, p, view, () => (view.length === 0 ? 'no alerts\n' : table(view, ['id', 'kind', 'count', 'message', 'resolved'])));
    return exitCode.ok;
  },
});

const resolveCommand = leaf({
  name: 'alerts resolve',
  role: 'treasurer',
  summary: 'close an alert by hand',
  help: 'alerts resolve <id>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const id = idArg(p.positionals[0], 'id', 'alerts resolve');
    await withAuditedContext(io, { action: 'alerts resolve', target: `/alerts/${id}` }, async (ctx) => {
      if (!(await resolveAlertById(ctx.store.db, id, ctx.clock.nowMs()))) throw new CommandFailed(`no open alert ${id}`);
    });
    print(io, p, { id, resolved: true }, () => `alert ${id} resolved\n`);
    return exitCode.ok;
  },
});

export const alerts = group('alerts', 'what needs an operator: hot wallet low, reorgs, failing sweeps', { list: listCommand, resolve: resolveCommand });
