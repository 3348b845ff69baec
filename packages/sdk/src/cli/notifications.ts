import { WaasClient } from '../client/index.js';
import type { MerchantNotification } from '../types/notifications.js';
import { parseCommandArgs, programName, stringValue, UsageError, type Command, type Io } from './args.js';
import { serviceConfigOf, serviceOptions } from './config.js';

const help = `Usage: ${programName} notifications list [--after ID] [--limit N] [--state pending|delivered|failed] [--json] [service options]
       ${programName} notifications resend <notify_id> [--json] [service options]

Your delivery log, an extension of this service (POST /api/v2/ext/notifications/list and
/resend; the hosted service has none): your recent notifications, oldest first, each with every
delivery attempt — when, your endpoint's HTTP status and the start of its answer, and why it
counted as failed — and a resend of one (the same notify_id, delivered again now).

  --after ID    only notifications with a notify_id above ID (paging)
  --limit N     at most N (1–100, default 100)
  --state S     only pending, delivered or failed ones
  --json        print the records as JSON
  --config FILE, --base-url, --app-id, --private-key, --wallet-public-key, --timeout-ms
                as for '${programName} call'
`;

function describe(n: MerchantNotification): string {
  const p = n.payload;
  const lines = [`#${n.notify_id} ${n.side} id ${n.id}: ${p['amount'] ?? '?'} ${p['symbol'] ?? '?'} status ${p['status'] ?? '?'} — ${n.state} after ${n.attempts_log.length} attempt${n.attempts_log.length === 1 ? '' : 's'}${n.last_error ? ` (last error: ${n.last_error})` : ''}`];
  for (const a of n.attempts_log) {
    const answer = a.http_status === '' ? 'no answer' : `HTTP ${a.http_status} "${a.answer_excerpt.replace(/\s+/g, ' ').slice(0, 80)}"`;
    lines.push(`    attempt ${a.attempt} at ${new Date(Number(a.at)).toISOString()}: ${answer}${a.error ? ` — ${a.error}` : ' — delivered'}`);
  }
  return lines.join('\n');
}

async function run(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs('notifications', argv, { ...serviceOptions, after: { type: 'string' }, limit: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } }, true);
  if (parsed.help) {
    io.stdout.write(help);
    return 0;
  }
  const [sub, ...rest] = parsed.positionals;
  if (sub !== 'list' && sub !== 'resend') throw new UsageError(sub === undefined ? 'list or resend?' : `unknown subcommand "${sub}": list or resend`, 'notifications');
  const config = serviceConfigOf(parsed.values, io, 'notifications', programName);
  const client = new WaasClient({ baseUrl: config.baseUrl, appId: config.appId, privateKey: config.privateKey, walletPublicKey: config.walletPublicKey, timeoutMs: config.timeoutMs });
  let records: MerchantNotification[];
  if (sub === 'list') {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`, 'notifications');
    const after = stringValue(parsed, 'after');
    const limit = stringValue(parsed, 'limit');
    const state = stringValue(parsed, 'state');
    records = await client.notificationList({ ...(after !== undefined ? { after_id: after } : {}), ...(limit !== undefined ? { limit } : {}), ...(state !== undefined ? { state: state as 'pending' } : {}) });
  } else {
    const [id, extra] = rest;
    if (id === undefined || extra !== undefined) throw new UsageError('expected one <notify_id>', 'notifications');
    records = [await client.notificationResend({ notify_id: id })];
  }
  if (parsed.values['json'] === true) io.stdout.write(JSON.stringify(sub === 'list' ? records : records[0], null, 2) + '\n');
  else io.stdout.write(records.length === 0 ? '(no notifications)\n' : records.map(describe).join('\n') + '\n');
  return 0;
}

/** `openwaas-sdk notifications list|resend`: the merchant's delivery log (an extension of this service). */
export const notifications: Command = { summary: 'your delivery log: notifications with their attempts; resend one', help, run };
