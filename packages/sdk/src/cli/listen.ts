import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { openCallback } from '../callbacks/body.js';
import { readBody, defaultBodyLimit } from '../callbacks/adapters/read-body.js';
import { open } from '../envelope/envelope.js';
import { parsePrivateKey, parsePublicKey } from '../envelope/keys.js';
import { parseCommandArgs, parseWholeNumber, programName, stringValue, UsageError, type Command, type Io } from './args.js';
import { serviceConfigOf, serviceOptions } from './config.js';

/** Bound on the developer app's answer to one forwarded callback (the service waits on us meanwhile). */
const forwardTimeoutMsDefault = 10_000;
/** The app's answer is read up to this many bytes. */
const answerBytesMax = 1024 * 1024;

const help = `Usage: ${programName} listen --forward URL [--forward-confirm URL] [--config FILE] [--dir DIR]
       [--host HOST] [--port PORT] [--timeout-ms MS]

For development against the sandbox only. Receives the demo merchant's notifications and
second-confirmation requests from a running sandbox and forwards each to your local app,
printing it decrypted and the app's answer (decrypted too), then relays the answer back.

While it runs, the merchant's notify_url and confirm_url point at this listener (set through
the sandbox's operator API with its demo admin token); on exit (Ctrl-C) the previous URLs are
put back.

The sandbox is found through its demo folder: --dir DIR, or the folder of --config (the
sandbox writes waas.json there). It must hold the lock of a running sandbox (sandbox.lock)
and its operator token, and baseUrl must be that sandbox's wallet service: anything else —
a production service in particular — is refused before anything is changed.

Options:
  --forward URL          where the app receives callbacks (both kinds unless --forward-confirm)
  --forward-confirm URL  where the app receives second-confirmation requests
  --dir DIR              the sandbox's demo folder (default: the folder of --config)
  --host HOST            listen address (default 127.0.0.1)
  --port PORT            listen port (default 0: any free port)
  --timeout-ms MS        how long the app may take to answer (default ${forwardTimeoutMsDefault})
  --config FILE, --base-url, --app-id, --private-key, --wallet-public-key
                         as for '${programName} call' (default --config DIR/waas.json)
`;

/** What a running sandbox says about itself in DIR/sandbox.lock. */
interface SandboxLock {
  pid: number;
  url?: string;
  operator?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running sandbox of `dir`, or a UsageError saying why `dir` is not one. */
export function findSandbox(dir: string, baseUrl: string, command: string): { operator: string; token: string } {
  const lockFile = join(dir, 'sandbox.lock');
  let lock: SandboxLock;
  try {
    lock = JSON.parse(readFileSync(lockFile, 'utf8')) as SandboxLock;
  } catch {
    throw new UsageError(`${dir} is not the folder of a running sandbox (no ${lockFile}); ${command} works only against the sandbox: start it with 'openwaas sandbox --dir ${dir}'`, command);
  }
  if (!Number.isSafeInteger(lock.pid) || !alive(lock.pid)) throw new UsageError(`the sandbox of ${dir} is not running (its lock is stale): start it with 'openwaas sandbox --dir ${dir}'`, command);
  if (typeof lock.url !== 'string' || typeof lock.operator !== 'string') throw new UsageError(`the sandbox of ${dir} is still starting: try again once it prints its banner`, command);
  const same = (a: string, b: string) => new URL(a).origin === new URL(b).origin;
  if (!same(lock.url, baseUrl)) throw new UsageError(`baseUrl ${baseUrl} is not the sandbox running in ${dir} (${lock.url}): ${command} works only against the sandbox`, command);
  const tokenFile = join(dir, 'operator-token');
  if (!existsSync(tokenFile)) throw new UsageError(`no operator token in ${dir}: is this the sandbox's demo folder?`, command);
  return { operator: lock.operator, token: readFileSync(tokenFile, 'utf8').trim() };
}

interface Urls {
  notify_url: string | null;
  confirm_url: string | null;
}

async function operatorCall(sandbox: { operator: string; token: string }, method: string, path: string, body?: unknown): Promise<unknown> {
  const answer = await fetch(`${sandbox.operator}${path}`, {
    method,
    headers: { authorization: `Bearer ${sandbox.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await answer.text();
  if (answer.status !== 200) throw new Error(`operator API ${method} ${path} answered HTTP ${answer.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

async function setUrls(sandbox: { operator: string; token: string }, appId: string, urls: Urls): Promise<void> {
  await operatorCall(sandbox, 'PATCH', `/merchants/${encodeURIComponent(appId)}`, { notify_url: urls.notify_url ?? '', confirm_url: urls.confirm_url ?? '' });
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/^/gm, '    ');
}

function summary(kind: 'notify' | 'confirm', payload: Record<string, unknown>): string {
  const f = (k: string) => String(payload[k] ?? '-');
  if (kind === 'notify') return `${f('side')} notification #${f('notify_id')}: id ${f('id')} uid ${f('uid')} ${f('amount')} ${f('symbol')} status ${f('status')}`;
  if (payload['to_address'] !== undefined) return `withdrawal confirmation ${f('request_id')}: ${f('amount')} ${f('symbol')} from uid ${f('from_uid')} to ${f('to_address')}`;
  return `transfer confirmation ${f('request_id')}: ${f('amount')} ${f('symbol')} to ${f('to')}`;
}

/** The app's confirmation answer decrypted with the merchant public key, or undefined when it is not an envelope. */
function openReply(text: string, merchantPublicKey: ReturnType<typeof createPublicKey>): unknown {
  let envelope = text.trim();
  try {
    if (envelope.startsWith('{')) {
      const data = (JSON.parse(envelope) as { data?: unknown }).data;
      if (typeof data !== 'string') return undefined;
      envelope = data;
    }
    return open(envelope, merchantPublicKey);
  } catch {
    return undefined;
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs('listen', argv, {
    ...serviceOptions,
    forward: { type: 'string' },
    'forward-confirm': { type: 'string' },
    dir: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
  });
  if (parsed.help) {
    io.stdout.write(help);
    return 0;
  }
  const forward = stringValue(parsed, 'forward');
  if (forward === undefined) throw new UsageError('where to? --forward http://localhost:3000/hooks', 'listen');
  const forwardConfirm = stringValue(parsed, 'forward-confirm') ?? forward;
  for (const [flag, url] of [['--forward', forward], ['--forward-confirm', forwardConfirm]] as const) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`${flag} must be an http(s) URL, not "${url}"`, 'listen');
  }
  const dirFlag = stringValue(parsed, 'dir');
  const configFlag = stringValue(parsed, 'config');
  if (dirFlag === undefined && configFlag === undefined) throw new UsageError('which sandbox? give --dir (its demo folder) or --config DIR/waas.json', 'listen');
  const dir = resolve(io.cwd, dirFlag ?? dirname(configFlag!));
  const values = { ...parsed.values, config: configFlag ?? join(dir, 'waas.json') };
  const config = serviceConfigOf(values, io, 'listen', programName);
  const port = parseWholeNumber(stringValue(parsed, 'port') ?? '0', '--port', { min: 0, max: 65_535 }, 'listen');
  const host = stringValue(parsed, 'host') ?? '127.0.0.1';
  const timeoutMs = config.timeoutMs ?? forwardTimeoutMsDefault;

  const sandbox = findSandbox(dir, config.baseUrl, 'listen');
  const walletPublicKey = parsePublicKey(config.walletPublicKey, 'walletPublicKey');
  const merchantPublicKey = createPublicKey(parsePrivateKey(config.privateKey, 'privateKey'));
  const before = (await operatorCall(sandbox, 'GET', `/merchants/${encodeURIComponent(config.appId)}`)) as Urls;
  const previous: Urls = { notify_url: before.notify_url ?? null, confirm_url: before.confirm_url ?? null };

  const say = (text: string) => io.stdout.write(text + '\n');

  async function handle(kind: 'notify' | 'confirm', req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, defaultBodyLimit);
    const contentType = req.headers['content-type'] ?? 'application/x-www-form-urlencoded';
    try {
      const payload = openCallback(body.toString('utf8'), walletPublicKey).payload;
      say(`--> ${summary(kind, payload)}\n${pretty(payload)}`);
    } catch (error) {
      say(`--> ${kind === 'notify' ? 'notification' : 'confirmation request'} that does not open with walletPublicKey: ${(error as Error).message}`);
    }
    const target = kind === 'notify' ? forward! : forwardConfirm;
    let status: number;
    let answerType: string;
    let answer: Buffer;
    try {
      const reply = await fetch(target, { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body), signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      status = reply.status;
      answerType = reply.headers.get('content-type') ?? 'text/plain; charset=utf-8';
      answer = Buffer.from(await reply.arrayBuffer());
      if (answer.byteLength > answerBytesMax) answer = answer.subarray(0, answerBytesMax);
    } catch (error) {
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${(error as Error).message}${(error as { cause?: { code?: string } }).cause?.code ? ` (${(error as { cause: { code: string } }).cause.code})` : ''}`;
      say(`<-- ${target} failed: ${why}; the service sees a failure${kind === 'notify' ? ' and retries' : ' (the withdrawal is refused)'}`);
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end('FAILURE');
      return;
    }
    const text = answer.toString('utf8');
    if (kind === 'confirm') {
      const opened = openReply(text, merchantPublicKey);
      say(`<-- app answered HTTP ${status}${opened === undefined ? `: ${text.slice(0, 300)}` : `, decrypted:\n${pretty(opened)}`}`);
    } else say(`<-- app answered HTTP ${status}: ${text.slice(0, 300)}`);
    res.writeHead(status, { 'content-type': answerType }).end(answer);
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const kind = path === '/notify' ? 'notify' : path === '/confirm' ? 'confirm' : undefined;
    if (kind === undefined || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    handle(kind, req, res).catch((error: unknown) => {
      say(`!!! ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end('FAILURE');
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const address = server.address() as AddressInfo;
  const self = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  try {
    await setUrls(sandbox, config.appId, { notify_url: `${self}/notify`, confirm_url: `${self}/confirm` });
  } catch (error) {
    server.close();
    throw error;
  }
  say(`Ready: ${config.appId}'s notifications -> ${forward}, confirmations -> ${forwardConfirm} (listening on ${self}; Ctrl-C restores the merchant's callback URLs)`);

  const signal = await new Promise<NodeJS.Signals>((ok) => {
    process.once('SIGINT', ok);
    process.once('SIGTERM', ok);
  });
  io.stderr.write(`${signal}: restoring the callback URLs…\n`);
  try {
    await setUrls(sandbox, config.appId, previous);
    say(`restored notify_url ${previous.notify_url ?? '(none)'}, confirm_url ${previous.confirm_url ?? '(none)'}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
  return 0;
}

/** `openwaas-sdk listen`: the sandbox's callbacks forwarded to a local app and printed. */
export const listen: Command = { summary: 'forward the sandbox\'s callbacks to a local app (development)', help, run };
