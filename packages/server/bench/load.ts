/**
 * The API bench's load generator: a child process forked by bench/api.ts (never run by hand).
 * It drives the wallet service over real HTTP with the SDK's WaasClient — Node's fetch, whose
 * connections are kept alive — with a fixed number of calls in flight, and reports throughput,
 * latency and the RSA blocks of every request and response it saw.
 *
 * Each in-flight slot ("lane") has its own WaasClient whose fetch is wrapped to read the
 * ciphertext sizes: a lane has at most one call in flight, so the sizes belong to that call.
 */
import { performance } from 'node:perf_hooks';
import { openText, parsePublicKey, WaasClient, WaasError } from '@openwaas/sdk';
import type { FromLoad, InitMessage, PlainCheck, RunMessage, ScenarioName, ScenarioResult, ToLoad } from './protocol.js';

/** RSA-2048: ciphertext bytes per block, plaintext bytes per block (the service's segment size). */
const keyBytes = 256;
const segmentBytes = 234;
/** Latency samples kept per scenario at most (a bound on memory; more are counted as dropped). */
const samplesMax = 1_000_000;
/** Calls one lane may start per scenario at most, whatever the clock says. */
const callsPerLaneMax = 1_000_000;

/** What a lane's fetch wrapper saw of the last exchange. */
interface LaneSeen {
  requestBlocks: number;
  responseBlocks: number;
  /** The response envelope, kept only when asked (for the plaintext check). */
  responseData: string | undefined;
  keepData: boolean;
}

interface Lane {
  index: number;
  client: WaasClient;
  seen: LaneSeen;
}

let init: InitMessage | undefined;
let lanes: Lane[] = [];

function send(message: FromLoad): void {
  process.send?.(message);
}

/** Blocks in a base64url (unpadded) ciphertext of whole key-size blocks. */
function blocksOfBase64(length: number): number {
  return Math.round(Math.floor((length * 3) / 4) / keyBytes);
}

/** The `data` field of a request as the SDK sends it: urlencoded body (POST) or query string (GET). */
function requestData(input: RequestInfo | URL, init: RequestInit | undefined): string {
  if (typeof init?.body === 'string') return new URLSearchParams(init.body).get('data') ?? '';
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return new URL(url).searchParams.get('data') ?? '';
}

/** The `data` envelope of a response body `{"data":"…"}` ('' when it is a plain error). */
function responseData(text: string): string {
  const prefix = '{"data":"';
  if (text.startsWith(prefix)) {
    const end = text.indexOf('"', prefix.length);
    if (end > 0) return text.slice(prefix.length, end);
  }
  try {
    const body = JSON.parse(text) as { data?: unknown };
    return typeof body.data === 'string' ? body.data : '';
  } catch {
    return '';
  }
}

function makeLane(index: number, options: InitMessage): Lane {
  const seen: LaneSeen = { requestBlocks: 0, responseBlocks: 0, responseData: undefined, keepData: false };
  const countingFetch: typeof fetch = async (input, requestInit) => {
    seen.requestBlocks = blocksOfBase64(requestData(input, requestInit).length);
    seen.responseBlocks = 0;
    seen.responseData = undefined;
    const response = await fetch(input, requestInit);
    const text = await response.text();
    const data = responseData(text);
    seen.responseBlocks = blocksOfBase64(data.length);
    if (seen.keepData) seen.responseData = data;
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  const client = new WaasClient({
    baseUrl: options.baseUrl,
    appId: options.appId,
    privateKey: options.privateKeyPem,
    walletPublicKey: options.walletPublicKeyPem,
    timeoutMs: options.timeoutMs,
    fetch: countingFetch,
  });
  return { index, client, seen };
}

/** One call of a scenario; throws on a failed call or an answer that is not what was seeded. */
type Operation = (lane: Lane, seq: number) => Promise<void>;

function operationOf(scenario: ScenarioName, options: InitMessage): Operation {
  const { uids, symbol } = options;
  const uidOf = (seq: number) => uids[seq % uids.length]!;
  switch (scenario) {
    case 'getByUidAndSymbol':
      return async (lane, seq) => {
        const balance = await lane.client.getByUidAndSymbol({ uid: uidOf(seq), symbol });
        if (typeof balance.normal_balance !== 'string') throw new Error('balance without normal_balance');
      };
    case 'syncDepositList':
      return async (lane) => {
        const page = await lane.client.syncDepositList({ max_id: 0 });
        if (page.length !== 100) throw new Error(`deposit page holds ${page.length} records, not 100`);
      };
    case 'withdraw':
      return async (lane, seq) => {
        const w = await lane.client.withdraw({
          request_id: `${options.requestIdPrefix}-${seq}`,
          from_uid: uidOf(seq),
          to_address: options.withdrawTo,
          amount: options.withdrawAmount,
          symbol,
        });
        // Auto-approved on-chain withdrawal: status 1 (paying), funds locked.
        if (Number(w.status) !== 1) throw new Error(`withdrawal ${w.id} has status ${w.status}, not 1 (paying)`);
      };
  }
}

function errorKind(error: unknown): { kind: string; message: string } {
  if (error instanceof WaasError) return { kind: `code ${error.code}`, message: error.message };
  if (error instanceof Error) return { kind: error.name, message: error.message };
  return { kind: 'unknown', message: String(error) };
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

async function runScenario(options: InitMessage, run: RunMessage): Promise<ScenarioResult> {
  const op = operationOf(run.scenario, options);
  const samples = new Float64Array(samplesMax);
  let kept = 0;
  let dropped = 0;
  let ok = 0;
  let errors = 0;
  let responseBlocks = 0;
  let requestBlocks = 0;
  let calls = 0;
  let seq = 0;
  let plainCheck: PlainCheck | undefined;
  const errorKinds: ScenarioResult['errorKinds'] = {};
  const walletKey = parsePublicKey(options.walletPublicKeyPem);

  const begin = performance.now();
  const measureFrom = begin + run.warmupMs;
  const measureTo = measureFrom + run.durationMs;
  const epochOf = (t: number) => performance.timeOrigin + t;

  const lane = async (l: Lane) => {
    for (let i = 0; i < callsPerLaneMax; i++) {
      const started = performance.now();
      if (started >= measureTo) return;
      calls++;
      const wantPlain = plainCheck === undefined && l.index === 0 && started >= measureFrom;
      l.seen.keepData = wantPlain;
      let failed: unknown;
      try {
        await op(l, seq++);
      } catch (error) {
        failed = error ?? new Error('failed');
      }
      const done = performance.now();
      // Counted when completed inside the window; warm-up calls and the tail after it are not.
      if (done < measureFrom || done > measureTo) continue;
      requestBlocks += l.seen.requestBlocks;
      responseBlocks += l.seen.responseBlocks;
      if (failed !== undefined) {
        errors++;
        const { kind, message } = errorKind(failed);
        const entry = (errorKinds[kind] ??= { count: 0, example: message });
        entry.count++;
        continue;
      }
      ok++;
      if (kept < samplesMax) samples[kept++] = done - started;
      else dropped++;
      if (wantPlain && l.seen.responseData !== undefined) {
        const plainBytes = Buffer.byteLength(openText(l.seen.responseData, walletKey), 'utf8');
        plainCheck = { plainBytes, computedBlocks: Math.ceil(plainBytes / segmentBytes), cipherBlocks: l.seen.responseBlocks };
      }
    }
  };
  await Promise.all(lanes.map(lane));
  for (const l of lanes) l.seen.keepData = false;

  const sorted = samples.subarray(0, kept).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    scenario: run.scenario,
    windowStartEpochMs: epochOf(measureFrom),
    windowEndEpochMs: epochOf(measureTo),
    windowSeconds: run.durationMs / 1000,
    ok,
    errors,
    errorKinds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    meanMs: kept > 0 ? sum / kept : Number.NaN,
    maxMs: kept > 0 ? sorted[kept - 1]! : Number.NaN,
    responseBlocks,
    requestBlocks,
    samplesDropped: dropped,
    plainCheck,
    calls,
  };
}

async function handle(message: ToLoad): Promise<void> {
  if (message.type === 'exit') {
    process.disconnect?.();
    process.exit(0);
  }
  if (message.type === 'init') {
    init = message;
    lanes = Array.from({ length: message.concurrency }, (_, i) => makeLane(i, message));
    // Give every user a deposit address, as a live merchant's users have: the balance call returns it.
    const first = lanes[0]!;
    for (const uid of message.uids) await first.client.getDepositAddress({ uid, symbol: message.symbol });
    send({ type: 'inited', depositAddresses: message.uids.length });
    return;
  }
  if (!init) throw new Error('run before init');
  send({ type: 'result', result: await runScenario(init, message) });
}

// Parent gone (crashed or killed): nothing left to measure for.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToLoad) => {
  handle(message).catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
send({ type: 'ready' });
