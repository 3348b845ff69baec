import { getNotification, getNotificationDetail, resendAllFailed, resendNotification, type NotificationState } from '../modules/notifications/index.js';
import { requireMerchant } from '../operator/actions.js';
import { notificationsView } from '../operator/views.js';
import { describe, exitCode, flag, group, idArg, leaf, print, str, table, UsageError } from './args.js';
import { withAuditedContext } from './audited.js';
import { withContext } from './context.js';

const listCommand = leaf({
  name: 'notifications list',
  role: 'viewer',
  summary: 'notifications by state (all states by default)',
  help: `notifications list [--failed | --pending | --delivered] [--app-id APP_ID] [--after-id N] [--limit N]`,
  options: {
    failed: { type: 'boolean' },
    pending: { type: 'boolean' },
    delivered: { type: 'boolean' },
    'app-id': { type: 'string' },
    'after-id': { type: 'string' },
    limit: { type: 'string' },
  },
  async run(p, io) {
    const states = (['failed', 'pending', 'delivered'] as const).filter((s) => flag(p, s));
    if (states.length > 1) throw new UsageError('give at most one of --failed, --pending, --delivered', 'notifications list');
    const state: NotificationState | undefined = states[0];
    const appId = str(p, 'app-id');
    const after = str(p, 'after-id');
    const limit = str(p, 'limit');
    // The operator API's view of GET /notifications.
    const result = await withContext(io, (ctx) =>
      notificationsView(ctx.store.db, {
        ...(state ? { state } : {}),
        ...(appId !== undefined ? { appId } : {}),
        ...(after !== undefined ? { afterId: idArg(after, '--after-id', 'notifications list') } : {}),
        ...(limit !== undefined ? { limit: idArg(limit, '--limit', 'notifications list') } : {}),
      }),
    );
    print(io, p, result, () => {
      const rows = result.notifications.map((n) => ({ ...n, last_error: n.waiting || n.last_error }));
      const { pending, delivered, failed } = result.counts;
      return table(rows, ['id', 'app_id', 'side', 'record_id', 'state', 'attempts', 'last_error']) + `\n${pending} pending, ${delivered} delivered, ${failed} failed\n`;
    });
    return exitCode.ok;
  },
});

const show = leaf({
  name: 'notifications show',
  role: 'viewer',
  summary: 'one notification with its payload and every delivery attempt',
  help: 'notifications show <id>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const id = idArg(p.positionals[0], 'notification id', 'notifications show');
    // The operator API's view of GET /notifications/:id.
    const n = await withContext(io, (ctx) => getNotificationDetail(ctx.store.db, id));
    print(io, p, n, () => {
      const { attempts_log, ...rest } = n;
      const attempts = attempts_log.map((a) => ({ ...a, http_status: a.http_status ?? '—', answer_excerpt: a.answer_excerpt.slice(0, 40) }));
      return describe(rest) + '\nattempts\n' + table(attempts, ['attempt', 'at_ms', 'http_status', 'duration_ms', 'answer_excerpt', 'error']);
    });
    return exitCode.ok;
  },
});

const resend = leaf({
  name: 'notifications resend',
  role: 'treasurer',
  summary: 'deliver a notification again, or every failed one',
  help: `notifications resend <id>
       notifications resend --all [--app-id APP_ID]

Re-queues the notification with a fresh retry schedule; a running service delivers it within
its poll interval.`,
  options: { all: { type: 'boolean' }, 'app-id': { type: 'string' } },
  positionals: { min: 0, max: 1 },
  async run(p, io) {
    const command = 'notifications resend';
    const all = flag(p, 'all');
    if (all === (p.positionals.length === 1)) throw new UsageError('give a notification id or --all', command);
    if (!all && str(p, 'app-id') !== undefined) throw new UsageError('--app-id goes with --all', command);
    if (!all) {
      const id = idArg(p.positionals[0], 'notification id', command);
      const n = await withAuditedContext(io, { action: command, target: `/notifications/${id}` }, async (ctx, note) => {
        const before = await getNotification(ctx.store.db, id);
        const after = await resendNotification(ctx, id);
        note({ before: { state: before.state, attempts: before.attempts }, after: { state: after.state, attempts: after.attempts } });
        return after;
      });
      print(io, p, n, () => `notification ${n.id} queued for delivery\n`);
      return exitCode.ok;
    }
    const appId = str(p, 'app-id');
    const target = appId !== undefined ? `/merchants/${encodeURIComponent(appId)}/notifications` : '/notifications';
    const result = await withAuditedContext(io, { action: `${command} --all`, target }, async (ctx, note) => {
      const merchantId = appId !== undefined ? Number((await requireMerchant(ctx.store.db, appId)).id) : undefined;
      const done = await resendAllFailed(ctx, {
        ...(merchantId !== undefined ? { merchantId } : {}),
        onProgress: (n) => io.stderr.write(`re-queued ${n} …\n`),
      });
      note({ after: done });
      return done;
    });
    print(io, p, result, () => `${result.count} failed notification${result.count === 1 ? '' : 's'} queued for delivery\n`);
    return exitCode.ok;
  },
});

export const notifications = group('notifications', 'inspect and resend merchant notifications', { list: listCommand, show, resend });
