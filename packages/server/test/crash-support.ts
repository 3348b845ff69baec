/**
 * Helpers of the crash-*.test.ts suites: the `openwaas serve` program as a real child process
 * (started, SIGKILLed, restarted on the same database), and the merchant's own servers —
 * second-confirmation and notification endpoints built with the SDK — running in the test
 * process, with notification behaviours that keep the outbox busy (refused, slow, timed out,
 * callback failures).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createConfirmationResponder,
  createNotificationHandler,
  parseNotification,
  parsePublicKey,
  readBody,
  toNodeHttpHandler,
  type Notification,
  type WithdrawConfirmationRequest,
} from '@openwaas/sdk';
import { insecureDevKeysEnvValue } from './support/dev-keys.js';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

/** Every child still running: killed at exit if an after hook did not (suites kill their own). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

/** A running `openwaas serve` child. */
export interface ServeProcess {
  url: string;
  port: number;
  pid: number;
  /** Resolves when the process has exited (with its signal, e.g. "SIGKILL"). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last few kilobytes of its stdout and stderr, for failure messages. */
  output(): string;
  /** Sends `signal` and waits (≤ 10 s) for the process to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const outputKeptChars = 16_000;

/**
 * Starts `node --conditions=source --import tsx src/cli/main.ts serve --json` with `env` on
 * 127.0.0.1:`port` (0 = any) and resolves once it printed its URL (≤ `timeoutMs`).
 */
export async function startServe(env: Record<string, string>, port: number, timeoutMs = 30_000): Promise<ServeProcess> {
  // Settings of the developer's shell must not leak into the child.
  const { OPENWAAS_CONFIG: _c, OPENWAAS_OPERATOR_TOKEN: _t, DATABASE_URL: _d, PORT: _p, HOST: _h, LOG_LEVEL: _l, ...inherited } = process.env;
  const cwd = mkdtempSync(join(tmpdir(), 'openwaas-crash-cwd-'));
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, main, 'serve', '--host', '127.0.0.1', '--port', String(port), '--json'], {
    // These services run on development keys (the configured mnemonic), which serve refuses without the explicit flag.
    env: { ...inherited, ...insecureDevKeysEnvValue, ...env },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString('utf8');
    if (out.length > outputKeptChars * 2) out = out.slice(-outputKeptChars);
  };
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, signal });
    });
  });
  const output = () => out.slice(-outputKeptChars);
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`pid ${child.pid} did not exit after ${signal}`)), 10_000)))]).finally(() =>
      clearTimeout(timer),
    );
  };

  let stdoutLine = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed no URL within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
      child.stdout!.on('data', (d: Buffer) => {
        keep(d);
        stdoutLine += d.toString('utf8');
        for (;;) {
          const at = stdoutLine.indexOf('\n');
          if (at < 0) break;
          const line = stdoutLine.slice(0, at);
          stdoutLine = stdoutLine.slice(at + 1);
          if (!line.startsWith('{')) continue;
          try {
            const parsed = JSON.parse(line) as { url?: unknown };
            if (typeof parsed.url === 'string') {
              clearTimeout(timer);
              resolve(parsed.url);
              return;
            }
          } catch {
            // a log line cut short: ignore
          }
        }
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (code ${code}, signal ${signal}) before printing its URL:\n${output()}`));
      });
    });
    return { url, port: Number(new URL(url).port), pid: child.pid!, exited, output, kill };
  } catch (error) {
    await kill('SIGKILL').catch(() => {});
    throw error;
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * How the merchant's notification endpoint treats a delivery, by notify_id (mod 5) and by how
 * many times that id arrived:
 * - `normal`: processed, SUCCESS at once;
 * - `refuse-first`: the first delivery gets HTTP 503 without being read (a busy merchant);
 * - `slow`: processed, SUCCESS after `slowMs` (within the service's timeout) — a kill during
 *   the wait leaves a processed notification the service never saw acknowledged;
 * - `timeout-first`: the first delivery is processed but answered only after the service gave
 *   up (`hangMs` > notify timeout): the retry must be answered by the SDK's dedupe;
 * - `callback-fails-first`: the merchant's callback throws the first time (FAILURE, retried).
 */
export type NotifyBehaviour = 'normal' | 'refuse-first' | 'slow' | 'timeout-first' | 'callback-fails-first';

export function notifyBehaviourOf(notifyId: number): NotifyBehaviour {
  return (['normal', 'refuse-first', 'slow', 'timeout-first', 'callback-fails-first'] as const)[notifyId % 5]!;
}

/** What a planned withdrawal looks like to the merchant's confirmation endpoint. */
export interface ConfirmablePlan {
  requestId: string;
  uid: number;
  toAddress: string;
  amount: string;
  symbol: string;
}

export interface MerchantServers {
  confirmUrl: string;
  notifyUrl: string;
  /** Confirmation requests received per request_id (approved or not). */
  confirmations: Map<string, number>;
  /** Confirmation requests refused because they matched no plan (must stay empty). */
  refusedConfirmations: WithdrawConfirmationRequest[];
  /** Deliveries received per notify_id (every POST that carried a readable notification). */
  receipts: Map<string, number>;
  /** Callback runs that completed, per notify_id (the SDK handler's dedupe should keep each at 1). */
  processedCount: Map<string, number>;
  /** The notification as processed (first successful callback), per notify_id. */
  processed: Map<string, Notification>;
  /** Deliveries the SDK handler answered SUCCESS without running the callback (already processed). */
  dedupeHits(): number;
  /** Deliveries currently being answered (a kill now leaves a processed, unacknowledged row). */
  inFlight(): number;
  /** Errors the SDK handler reported (callback failures we caused are expected here). */
  handlerErrors: unknown[];
  /** Bodies that were not readable notifications (must stay empty). */
  unreadable: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * Starts the merchant's confirmation endpoint (approves exactly the planned withdrawals, after
 * a short per-request delay so requests are caught at every stage by a kill) and its
 * notification endpoint (SDK handler with in-memory dedupe, wrapped by the behaviours above).
 */
export async function startMerchantServers(options: {
  walletPublicKeyPem: string;
  merchantPrivateKeyPem: string;
  plans: ReadonlyMap<string, ConfirmablePlan>;
  /** Delay before answering a confirmation, by request_id. */
  confirmDelayMs: (requestId: string) => number;
  slowMs: number;
  hangMs: number;
}): Promise<MerchantServers> {
  const { plans } = options;
  const walletKey = parsePublicKey(options.walletPublicKeyPem);
  const confirmations = new Map<string, number>();
  const refusedConfirmations: WithdrawConfirmationRequest[] = [];
  const receipts = new Map<string, number>();
  const processedCount = new Map<string, number>();
  const processed = new Map<string, Notification>();
  const callbackRuns = new Map<string, number>();
  const handlerErrors: unknown[] = [];
  const unreadable: string[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let dedupeHits = 0;
  let closed = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.add(timer);
    });

  const confirm = toNodeHttpHandler(
    createConfirmationResponder({
      walletPublicKey: walletKey,
      privateKey: options.merchantPrivateKeyPem,
      approveWithdraw: async (r) => {
        confirmations.set(r.request_id, (confirmations.get(r.request_id) ?? 0) + 1);
        await wait(options.confirmDelayMs(r.request_id));
        const plan = plans.get(r.request_id);
        const ok = plan !== undefined && plan.amount === r.amount && plan.toAddress === r.to_address && String(plan.uid) === r.from_uid && plan.symbol === r.symbol;
        if (!ok) refusedConfirmations.push(r);
        return ok;
      },
    }),
  );

  const handler = createNotificationHandler({
    walletPublicKey: walletKey,
    onNotification: async (n) => {
      const id = n.notify_id ?? '';
      const runs = (callbackRuns.get(id) ?? 0) + 1;
      callbackRuns.set(id, runs);
      if (runs === 1 && notifyBehaviourOf(Number(id)) === 'callback-fails-first') throw new Error(`merchant database busy (notify_id ${id})`);
      processedCount.set(id, (processedCount.get(id) ?? 0) + 1);
      if (!processed.has(id)) processed.set(id, n);
    },
    onError: (error) => handlerErrors.push(error),
  });

  const notify = (req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    const done = () => {
      inFlight -= 1;
    };
    res.once('close', done);
    readBody(req)
      .then(async (body) => {
        let notifyId: string;
        try {
          notifyId = parseNotification(body, walletKey).notify_id ?? '';
        } catch {
          unreadable.push(body.toString('utf8').slice(0, 200));
          res.statusCode = 400;
          res.end('FAILURE');
          return;
        }
        const attempt = (receipts.get(notifyId) ?? 0) + 1;
        receipts.set(notifyId, attempt);
        const behaviour = notifyBehaviourOf(Number(notifyId));
        if (behaviour === 'refuse-first' && attempt === 1) {
          res.statusCode = 503;
          res.end('busy');
          return;
        }
        const runsBefore = callbackRuns.get(notifyId) ?? 0;
        const reply = await handler.handle(body);
        if (reply.body === 'SUCCESS' && (callbackRuns.get(notifyId) ?? 0) === runsBefore) dedupeHits += 1;
        if (behaviour === 'slow') await wait(options.slowMs);
        if (behaviour === 'timeout-first' && attempt === 1) await wait(options.hangMs);
        if (closed || res.destroyed) return;
        res.statusCode = reply.status;
        res.setHeader('content-type', reply.contentType);
        res.end(reply.body);
      })
      .catch(() => {
        if (!res.destroyed) res.destroy();
      });
  };

  const confirmServer = createServer(confirm);
  const notifyServer = createServer(notify);
  const confirmRoot = await listen(confirmServer);
  const notifyRoot = await listen(notifyServer);
  return {
    confirmUrl: `${confirmRoot}/waas/confirm`,
    notifyUrl: `${notifyRoot}/waas/notify`,
    confirmations,
    refusedConfirmations,
    receipts,
    processedCount,
    processed,
    dedupeHits: () => dedupeHits,
    inFlight: () => inFlight,
    handlerErrors,
    unreadable,
    async close() {
      closed = true;
      for (const t of pendingTimers) clearTimeout(t);
      pendingTimers.clear();
      await Promise.all([closeServer(confirmServer), closeServer(notifyServer)]);
    },
  };
}

/**
 * An HTTP proxy between the merchant's client and the service (a load balancer, say) that can
 * lose answers: while holding is on, every `n`-th answer to a path starting with `pathPrefix` is
 * kept back; dropHeld() then cuts those connections, as a crash right after the service
 * committed would. A failed upstream connection cuts the client's connection too.
 */
export interface LossyProxy {
  url: string;
  /** Points the proxy at another service root (a restarted process). */
  setTarget(url: string): void;
  /** Holds every `n`-th answer to `pathPrefix` from now on, at most `max` at a time; 0 turns holding off. */
  holdEvery(n: number, pathPrefix?: string, max?: number): void;
  /** Cuts the connections whose answers are held; returns how many. */
  dropHeld(): number;
  close(): Promise<void>;
}

export async function startLossyProxy(target: string): Promise<LossyProxy> {
  let upstream = new URL(target);
  let holdN = 0;
  let holdMax = Infinity;
  let holdPrefix = '';
  let counted = 0;
  const held = new Set<ServerResponse>();
  // No keep-alive upstream: a socket to a killed process must never be reused.
  const agent = new Agent({ keepAlive: false });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const url = new URL(req.url ?? '/', upstream);
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'accept']) {
        const v = req.headers[name];
        if (typeof v === 'string') headers[name] = v;
      }
      const body = Buffer.concat(chunks);
      if (body.length > 0) headers['content-length'] = String(body.length);
      const up = httpRequest(url, { method: req.method ?? 'GET', headers, agent }, (upRes) => {
        const out: Buffer[] = [];
        upRes.on('data', (c: Buffer) => out.push(c));
        upRes.on('error', () => res.destroy());
        upRes.on('end', () => {
          if (!upRes.complete) return res.destroy();
          const payload = Buffer.concat(out);
          const hold = holdN > 0 && held.size < holdMax && (req.url ?? '').startsWith(holdPrefix) && ++counted % holdN === 0;
          if (hold) {
            held.add(res);
            res.once('close', () => held.delete(res));
            return;
          }
          const contentType = upRes.headers['content-type'];
          res.writeHead(upRes.statusCode ?? 502, { ...(contentType ? { 'content-type': contentType } : {}), 'content-length': String(payload.length) });
          res.end(payload);
        });
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  const root = await listen(server);
  return {
    url: root,
    setTarget(url) {
      upstream = new URL(url);
    },
    holdEvery(n, pathPrefix = '/', max = Infinity) {
      holdN = n;
      holdMax = max;
      holdPrefix = pathPrefix;
      counted = 0;
    },
    dropHeld() {
      const n = held.size;
      for (const res of [...held]) res.destroy();
      held.clear();
      return n;
    },
    async close() {
      for (const res of held) res.destroy();
      await closeServer(server);
      agent.destroy();
    },
  };
}
