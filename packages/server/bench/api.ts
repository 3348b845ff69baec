/**
 * API throughput of the wallet service, end to end over HTTP.
 *
 *   npm run bench:api
 *
 * For SQLite (a temp dir), then PostgreSQL (a fresh schema of postgres://postgres@127.0.0.1:5432/test,
 * or OPENWAAS_BENCH_DATABASE_URL, when reachable — skipped with a message otherwise), the bench:
 *  1. seeds the database through the domain functions (bench/seed.ts): coins, a merchant whose
 *     key pair the bench generated and whose confirm_url is a local merchant server, users with
 *     balances, and 1,000 deposit rows;
 *  2. starts the service in its own process (`openwaas serve`, log level warn, RSA worker pool
 *     at its default size = one worker per core);
 *  3. drives it from a load generator in another process (bench/load.ts: SDK WaasClient, fetch
 *     with keep-alive, 32 calls in flight, 1 s warm-up then 6 s measured) for:
 *     getByUidAndSymbol, a full 100-record syncDepositList page, and withdraw (unique
 *     request_ids, on-chain destination, auto-approved so funds lock, confirmed by the local
 *     merchant server with the SDK's createConfirmationResponder);
 *  4. reports requests/s, p50/p99 latency, and the RSA blocks/s the server sealed (response
 *     envelopes, plus the confirmation request for withdraw) against the machine's limit,
 *     `openssl speed rsa2048` sign/s × cores.
 * Everything it started (server process, load generator, merchant server, database) is stopped
 * or dropped at the end, on error too. Exit status 0 unless a scenario had no successful call or
 * more than 1 % failed calls.
 *
 * Environment (all optional): OPENWAAS_BENCH_DATABASE_URL (PostgreSQL server to use; a fresh
 * schema is created in it and dropped), OPENWAAS_BENCH_DATABASES=sqlite,postgres and
 * OPENWAAS_BENCH_SCENARIOS=getByUidAndSymbol,syncDepositList,withdraw (quick partial runs),
 * OPENWAAS_BENCH_CPU_PROF=DIR (the server process writes V8 CPU profiles there).
 */
import { spawn, spawnSync, fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConfirmationResponder, decodeBase64Url, readCallbackForm, toNodeHttpHandler, type CallbackHandler } from '@openwaas/sdk';
import pg from 'pg';
import type { FromLoad, InitMessage, ScenarioName, ScenarioResult, ToLoad } from './protocol.js';
import { benchReplayGuard } from './replay-guard.js';
import { seed } from './seed.js';

// ---- settings ------------------------------------------------------------------------------------

const concurrency = 32;
const warmupMs = 1_000;
const durationMs = 6_000;
const requestTimeoutMs = 15_000;
const users = 64;
const depositRows = 1_000;
const userBalance = '1000000';
const withdrawAmount = '0.01';
/** An on-chain destination: a well-formed EVM address this service never issued. */
const withdrawTo = '0x' + 'b1'.repeat(20);
const pgUrlDefault = 'postgres://postgres@127.0.0.1:5432/test';
const pgUrl = process.env.OPENWAAS_BENCH_DATABASE_URL ?? pgUrlDefault;
/** Optional narrowing for quick runs: OPENWAAS_BENCH_DATABASES=sqlite,postgres and OPENWAAS_BENCH_SCENARIOS=withdraw,… */
const onlyDatabases = listEnv('OPENWAAS_BENCH_DATABASES');
const onlyScenarios = listEnv('OPENWAAS_BENCH_SCENARIOS');
/** OPENWAAS_BENCH_CPU_PROF=DIR: the server process writes V8 CPU profiles (main thread and RSA workers) there. */
const cpuProfDir = process.env.OPENWAAS_BENCH_CPU_PROF || undefined;

function listEnv(name: string): string[] | undefined {
  const v = process.env[name]?.trim();
  return v ? v.split(',').map((x) => x.trim().toLowerCase()).filter((x) => x !== '') : undefined;
}

const opensslSeconds = 2;
const opensslTimeoutMs = 60_000;
const serverStartTimeoutMs = 60_000;
const serverStopTimeoutMs = 10_000;
const loadStartTimeoutMs = 60_000;
/** Server log lines kept for the report (the rest are counted). */
const logLinesKept = 8;
/** Cores other processes may use during a scenario before the report warns about it. */
const otherCoresWarn = 0.15;
/** Confirmation callbacks remembered per scenario at most. */
const callbacksMax = 1_000_000;

const keyBytes = 256;
const cores = availableParallelism();
const scenarios: Array<{ name: ScenarioName; label: string; aimPercent: number; kind: string }> = [
  { name: 'getByUidAndSymbol' as const, label: 'getByUidAndSymbol', aimPercent: 60, kind: 'small' },
  { name: 'syncDepositList' as const, label: 'syncDepositList (100)', aimPercent: 80, kind: 'page' },
  { name: 'withdraw' as const, label: 'withdraw (+confirm)', aimPercent: 60, kind: 'small' },
].filter((s) => !onlyScenarios || onlyScenarios.includes(s.name.toLowerCase()));

const serverMain = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const loadMain = fileURLToPath(new URL('./load.ts', import.meta.url));

// ---- cleanup: everything started is registered here and stopped in reverse order -------------------

const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
const children = new Set<ChildProcess>();

function onCleanup(what: string, run: () => Promise<void>): () => Promise<void> {
  const entry = { what, run };
  cleanups.push(entry);
  let done: Promise<void> | undefined;
  const once = async () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
    done ??= run();
    return done;
  };
  entry.run = once;
  return once;
}

async function cleanupAll(): Promise<void> {
  // Each run removes its entry first; the bound only guards against a cleanup that re-registers.
  for (let i = 0, entry = cleanups.at(-1); entry && i < 100; i++, entry = cleanups.at(-1)) {
    await entry.run().catch((error: unknown) => console.error(`cleanup of ${entry!.what} failed: ${(error as Error).message}`));
  }
}

// Last resort (an exit without cleanup): no child outlives the bench.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping everything the bench started…`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits for a child's exit; SIGKILL after `ms`. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  try {
    await withTimeout(exited, ms, `stopping process ${child.pid}`);
  } catch {
    child.kill('SIGKILL');
    await exited;
  }
}

// ---- machine --------------------------------------------------------------------------------------

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** Clock ticks per second of /proc CPU times. */
const clockTicks = (() => {
  const run = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 });
  const n = Number(run.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** CPU seconds (user + system, all threads) a process has used; undefined off Linux or when gone. */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine (all cores, idle and iowait excluded). */
function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - (v[3] ?? 0) - (v[4] ?? 0)) / clockTicks;
  } catch {
    return undefined;
  }
}

interface CpuSnapshot {
  atMs: number;
  server: number | undefined;
  load: number | undefined;
  bench: number | undefined;
  machine: number | undefined;
}

function cpuSnapshot(serverPid: number, loadPid: number | undefined): CpuSnapshot {
  return { atMs: performance.now(), server: processCpuSeconds(serverPid), load: processCpuSeconds(loadPid), bench: processCpuSeconds(process.pid), machine: machineBusySeconds() };
}

/** Cores each party kept busy between two snapshots, as text. */
function cpuShares(a: CpuSnapshot, b: CpuSnapshot): string {
  const seconds = (b.atMs - a.atMs) / 1000;
  const share = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? undefined : (y - x) / seconds);
  const server = share(a.server, b.server);
  const load = share(a.load, b.load);
  const bench = share(a.bench, b.bench);
  const machine = share(a.machine, b.machine);
  if (server === undefined || load === undefined || bench === undefined || machine === undefined) return 'cpu shares not available (no /proc)';
  const other = Math.max(0, machine - server - load - bench);
  const warning = other > otherCoresWarn ? `\n    ! other processes kept ${fmt(other, 2)} cores busy during this scenario (database server, or anything else on the machine): the figures above understate the service` : '';
  return `cores busy: server ${fmt(server, 2)}, load generator ${fmt(load, 2)}, bench+merchant ${fmt(bench, 2)}, other processes ${fmt(other, 2)}; machine ${fmt(machine, 2)} of ${cores}${warning}`;
}

/** RSA-2048 private-key operations per second of one core, from `openssl speed`. */
function opensslSignPerSecond(): number {
  const run = spawnSync('openssl', ['speed', '-seconds', String(opensslSeconds), 'rsa2048'], { encoding: 'utf8', timeout: opensslTimeoutMs });
  if (run.error) throw new Error(`openssl speed failed: ${run.error.message}`);
  const match = /^rsa\s+2048\s+bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/m.exec(run.stdout ?? '');
  if (!match) throw new Error(`cannot read openssl speed output:\n${run.stdout}\n${run.stderr}`);
  return Number(match[1]);
}

// ---- the merchant's confirmation endpoint -----------------------------------------------------------

interface CallbackSeen {
  atMs: number;
  /** Blocks the service sealed for the confirmation request. */
  requestBlocks: number;
  /** Blocks the merchant sealed for its reply. */
  replyBlocks: number;
}

interface MerchantServer {
  url: string;
  use(keys: { walletPublicKeyPem: string; privateKeyPem: string }): void;
  take(): CallbackSeen[];
  refusals: number;
  close(): Promise<void>;
}

const blocksOf = (data: string) => (data === '' ? 0 : Math.round(decodeBase64Url(data).length / keyBytes));

async function startMerchantServer(): Promise<MerchantServer> {
  let responder: CallbackHandler | undefined;
  let seen: CallbackSeen[] = [];
  const state = { refusals: 0 };
  const counting: CallbackHandler = {
    async handle(body) {
      if (!responder) return { status: 503, contentType: 'text/plain', body: 'not ready' };
      let requestBlocks = 0;
      try {
        requestBlocks = blocksOf(readCallbackForm(body).data);
      } catch {
        // the responder reports it
      }
      const reply = await responder.handle(body);
      let replyBlocks = 0;
      try {
        replyBlocks = blocksOf(String((JSON.parse(reply.body) as { data?: unknown }).data ?? ''));
      } catch {
        // a plain error reply: no envelope
      }
      if (seen.length < callbacksMax) seen.push({ atMs: Date.now(), requestBlocks, replyBlocks });
      return reply;
    },
  };
  const handler = toNodeHttpHandler(counting);
  const server: Server = createServer({ keepAlive: true }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const close = onCleanup('merchant confirmation server', async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${port}/waas/confirm`,
    use(keys) {
      responder = createConfirmationResponder({
        walletPublicKey: keys.walletPublicKeyPem,
        privateKey: keys.privateKeyPem,
        approveWithdraw: (request) => request.to_address === withdrawTo,
        onError: () => {
          state.refusals++;
        },
      });
    },
    take() {
      const out = seen;
      seen = [];
      return out;
    },
    get refusals() {
      return state.refusals;
    },
    close,
  };
}

// ---- the service process --------------------------------------------------------------------------

interface ServerProcess {
  baseUrl: string;
  pid: number;
  logLines: string[];
  logCount(): number;
  stop(): Promise<void>;
}

async function startServerProcess(databaseUrl: string): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {};
  // Only this bench's settings: nothing from the caller's OPENWAAS_* / DATABASE_URL leaks in.
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(OPENWAAS_|DATABASE_URL$|HOST$|PORT$|LOG_LEVEL$)/.test(key)) env[key] = value;
  }
  Object.assign(env, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', OPENWAAS_INSECURE_DEV_KEYS: '1' });
  const profiling = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const child = spawn(process.execPath, [...process.execArgv, ...profiling, serverMain, 'serve', '--host', '127.0.0.1', '--port', '0', '--json'], {
    env,
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const stop = onCleanup(`server process ${child.pid}`, () => stopChild(child, 'SIGTERM', serverStopTimeoutMs));

  const logLines: string[] = [];
  let logs = 0;
  let out = '';
  let err = '';
  const keep = (line: string) => {
    if (line.trim() === '') return;
    logs++;
    if (logLines.length < logLinesKept) logLines.push(line.length > 300 ? line.slice(0, 300) + '…' : line);
  };
  let started = false;
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!started) {
        const match = /"url":\s*"([^"]+)"[\s\S]*?}\s*\n/.exec(out);
        if (!match) return;
        started = true;
        resolve(match[1]!);
        out = out.slice(match.index + match[0].length);
      }
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      lines.forEach(keep);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      const lines = err.split('\n');
      err = lines.pop() ?? '';
      lines.forEach((l) => keep(`[stderr] ${l}`));
    });
    child.once('exit', (code, signal) => {
      if (!started) reject(new Error(`the server process exited (${signal ?? code}) before listening:\n${logLines.join('\n')}\n${err}`));
    });
  });
  try {
    const baseUrl = await withTimeout(url, serverStartTimeoutMs, 'starting the server process');
    return { baseUrl, pid: child.pid!, logLines, logCount: () => logs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---- the load generator process -------------------------------------------------------------------

class LoadGenerator {
  readonly #child: ChildProcess;
  readonly #waiting: Array<{ type: FromLoad['type']; resolve(m: FromLoad): void; reject(e: Error): void }> = [];
  readonly stop: () => Promise<void>;

  constructor() {
    this.#child = fork(loadMain, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(this.#child);
    this.#child.on('message', (message: FromLoad) => {
      const waiter = this.#waiting.shift();
      if (!waiter) return;
      if (message.type === 'error') waiter.reject(new Error(`load generator: ${message.message}`));
      else if (message.type !== waiter.type) waiter.reject(new Error(`load generator answered ${message.type}, expected ${waiter.type}`));
      else waiter.resolve(message);
    });
    this.#child.once('exit', (code, signal) => {
      children.delete(this.#child);
      for (const w of this.#waiting.splice(0)) w.reject(new Error(`the load generator exited (${signal ?? code})`));
    });
    const child = this.#child;
    this.stop = onCleanup(`load generator process ${child.pid}`, async () => {
      if (child.connected) child.send({ type: 'exit' } satisfies ToLoad);
      await stopChild(child, child.connected ? 'SIGTERM' : 'SIGKILL', 5_000);
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  expect<T extends FromLoad['type']>(type: T, ms: number): Promise<Extract<FromLoad, { type: T }>> {
    const answer = new Promise<FromLoad>((resolve, reject) => this.#waiting.push({ type, resolve, reject }));
    return withTimeout(answer as Promise<Extract<FromLoad, { type: T }>>, ms, `waiting for the load generator's ${type}`);
  }

  async ask<T extends FromLoad['type']>(message: ToLoad, type: T, ms: number): Promise<Extract<FromLoad, { type: T }>> {
    const answer = this.expect(type, ms);
    this.#child.send(message);
    return answer;
  }
}

// ---- PostgreSQL -----------------------------------------------------------------------------------

async function postgresReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

async function freshPostgresSchema(): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const url = new URL(pgUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const drop = onCleanup(`PostgreSQL schema ${schema}`, async () => {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
      await c.query(`drop schema if exists ${schema} cascade`);
    } finally {
      await c.end();
    }
  });
  return { url: url.toString(), schema, drop };
}

// ---- report ---------------------------------------------------------------------------------------

interface Row {
  database: string;
  label: string;
  kind: string;
  aimPercent: number;
  result: ScenarioResult;
  callbacks: number;
  callbackBlocks: number;
  merchantBlocks: number;
  serverBlocksPerS: number;
  machineBlocksPerS: number;
  ratio: number;
  machineRatio: number;
  cpu: string;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const pad = (s: string, n: number) => s.padStart(n);

const header =
  `${'scenario'.padEnd(22)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('errors', 8)}` +
  `${pad('blk/resp', 10)}${pad('srv blk/s', 11)}${pad('% limit', 9)}${pad('aim', 7)}${pad('all blk/s', 11)}${pad('% limit', 9)}`;

function rowLine(r: Row): string {
  const res = r.result;
  const calls = res.ok + res.errors;
  const perResponse = calls > 0 ? (res.responseBlocks + r.callbackBlocks) / calls : Number.NaN;
  const met = r.ratio * 100 >= r.aimPercent ? 'met' : 'below';
  return (
    `${r.label.padEnd(22)}${pad(fmt(res.ok / res.windowSeconds), 9)}${pad(fmt(res.p50Ms), 9)}${pad(fmt(res.p99Ms), 9)}${pad(String(res.errors), 8)}` +
    `${pad(fmt(perResponse, 2), 10)}${pad(fmt(r.serverBlocksPerS), 11)}${pad(fmt(r.ratio * 100) + ' %', 9)}${pad(`≥${r.aimPercent}%`, 7)}` +
    `${pad(fmt(r.machineBlocksPerS), 11)}${pad(fmt(r.machineRatio * 100) + ' %', 9)}   ${met}`
  );
}

// ---- one database ---------------------------------------------------------------------------------

async function benchDatabase(
  database: string,
  databaseUrl: string,
  keys: { privateKeyPem: string; publicKeyPem: string },
  load: LoadGenerator,
  limit: number,
): Promise<Row[]> {
  const merchant = await startMerchantServer();
  try {
    const seedStarted = performance.now();
    const seeded = await seed({ databaseUrl, merchantPublicKeyPem: keys.publicKeyPem, confirmUrl: merchant.url, users, balance: userBalance, deposits: depositRows });
    merchant.use({ walletPublicKeyPem: seeded.walletPublicKeyPem, privateKeyPem: keys.privateKeyPem });
    console.log(
      `seeded in ${fmt((performance.now() - seedStarted) / 1000, 1)} s: merchant ${seeded.appId}, coins ETH+USDT, ${seeded.uids.length} users × ${userBalance} ${seeded.symbol}, ` +
        `${seeded.deposits} deposit rows; confirm_url ${merchant.url}`,
    );

    const serverStarted = performance.now();
    const server = await startServerProcess(databaseUrl);
    const rows: Row[] = [];
    try {
      console.log(`server process ${server.pid} (openwaas serve, log level warn, RSA pool = ${cores} workers) on ${server.baseUrl}, up in ${fmt((performance.now() - serverStarted) / 1000)} s`);
      const init: InitMessage = {
        type: 'init',
        baseUrl: server.baseUrl,
        appId: seeded.appId,
        privateKeyPem: keys.privateKeyPem,
        walletPublicKeyPem: seeded.walletPublicKeyPem,
        uids: seeded.uids,
        concurrency,
        timeoutMs: requestTimeoutMs,
        requestIdPrefix: `bench-${database.toLowerCase()}-${randomBytes(4).toString('hex')}`,
        withdrawTo,
        withdrawAmount,
        symbol: seeded.symbol,
      };
      await load.ask(init, 'inited', 60_000);
      console.log(`load generator process ${load.pid}: ${concurrency} calls in flight, keep-alive, ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured per scenario\n`);
      console.log(header);

      for (const s of scenarios) {
        merchant.take();
        const cpuBefore = cpuSnapshot(server.pid, load.pid);
        const { result } = await load.ask({ type: 'run', scenario: s.name, warmupMs, durationMs }, 'result', warmupMs + durationMs + requestTimeoutMs + 30_000);
        const cpu = cpuShares(cpuBefore, cpuSnapshot(server.pid, load.pid));
        const inWindow = merchant.take().filter((c) => c.atMs >= result.windowStartEpochMs && c.atMs <= result.windowEndEpochMs);
        const callbackBlocks = inWindow.reduce((n, c) => n + c.requestBlocks, 0);
        const merchantBlocks = inWindow.reduce((n, c) => n + c.replyBlocks, 0);
        const serverBlocksPerS = (result.responseBlocks + callbackBlocks) / result.windowSeconds;
        const machineBlocksPerS = (result.responseBlocks + callbackBlocks + result.requestBlocks + merchantBlocks) / result.windowSeconds;
        const row: Row = {
          database,
          label: s.label,
          kind: s.kind,
          aimPercent: s.aimPercent,
          result,
          callbacks: inWindow.length,
          callbackBlocks,
          merchantBlocks,
          serverBlocksPerS,
          machineBlocksPerS,
          ratio: serverBlocksPerS / limit,
          machineRatio: machineBlocksPerS / limit,
          cpu,
        };
        rows.push(row);
        console.log(rowLine(row));
        await sleep(300);
      }

      console.log('');
      for (const r of rows) {
        const res = r.result;
        const check = res.plainCheck
          ? `response plaintext ${res.plainCheck.plainBytes} B → ceil(/234) = ${res.plainCheck.computedBlocks} block(s), ciphertext has ${res.plainCheck.cipherBlocks}${res.plainCheck.computedBlocks === res.plainCheck.cipherBlocks ? ' ✓' : ' ✗ MISMATCH'}`
          : 'no response checked';
        const extra = r.callbacks > 0 ? `; ${r.callbacks} confirmations (${fmt(r.callbackBlocks / r.callbacks, 2)} block(s) each)` : '';
        console.log(`  ${r.label}: ${check}${extra}; mean ${fmt(res.meanMs)} ms, max ${fmt(res.maxMs)} ms`);
        console.log(`    ${r.cpu}`);
        for (const [kind, e] of Object.entries(res.errorKinds)) console.log(`    ! ${e.count} × ${kind}: ${e.example}`);
        if (res.samplesDropped > 0) console.log(`    (${res.samplesDropped} latency samples not kept)`);
      }
      if (merchant.refusals > 0) console.log(`  ! the merchant server refused ${merchant.refusals} confirmation request(s)`);
      if (server.logCount() > 0) {
        console.log(`  server log (warn and above): ${server.logCount()} line(s)${server.logCount() > server.logLines.length ? `, first ${server.logLines.length}` : ''}:`);
        for (const line of server.logLines) console.log(`    ${line}`);
      } else {
        console.log('  server log (warn and above): none');
      }
    } finally {
      await server.stop();
    }
    // The server is stopped: the guard's cost alone, on the table the scenarios filled.
    const g = await benchReplayGuard(databaseUrl, seeded.appId);
    const us = (n: number) => `${fmt(n, 0)} µs`;
    console.log(
      `  replay guard, per accepted call (in-process, ${g.rowsAtStart} rows held after the scenarios): new envelope p50 ${us(g.firstP50Us)} p99 ${us(g.firstP99Us)}; ` +
        `retry p50 ${us(g.retryP50Us)} p99 ${us(g.retryP99Us)}; replay refused p50 ${us(g.replayP50Us)}; ${fmt(g.concurrentPerS, 0)} new envelopes/s with 32 in flight; ` +
        `prune of one full batch ${fmt(g.pruneBatchMs, 1)} ms`,
    );
    for (const r of rows) {
      if (r.result.p50Ms > 0) console.log(`    ${r.label}: the guard's p50 is ${fmt((g.firstP50Us / 1000 / r.result.p50Ms) * 100, 1)} % of the call's p50 (${fmt(r.result.p50Ms)} ms)`);
    }
    return rows;
  } finally {
    await merchant.close();
  }
}

// ---- main -----------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = performance.now();
  console.log('OpenWaaS API bench (npm run bench:api)');
  console.log(`date     ${new Date().toISOString()}`);
  console.log(`machine  ${cpuModel()}, ${cores} cores (os.availableParallelism), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`node     ${process.version} (${process.platform}/${process.arch})`);

  const signPerS = opensslSignPerSecond();
  const limit = signPerS * cores;
  console.log(`limit    openssl speed -seconds ${opensslSeconds} rsa2048: ${fmt(signPerS)} sign/s per core × ${cores} cores = ${fmt(limit)} RSA-2048 blocks/s`);
  console.log(
    `caveat   the load generator (it seals every request: one RSA private-key block per call), the merchant\n` +
      `         confirmation server (one block per withdraw) and the service share these ${cores} cores, so the\n` +
      `         server's own share of the limit is capped well below 100 %: "srv blk/s" counts the blocks the\n` +
      `         service sealed (responses + withdraw confirmation requests); "all blk/s" adds the load\n` +
      `         generator's request blocks and the merchant's reply blocks (every private-key block on the machine).\n` +
      `         With one-block requests the load generator signs as many blocks as the service does, so the\n` +
      `         service's share of the limit cannot exceed 50 % for small calls on this shared machine.\n` +
      `         "cores busy" lines show who used the CPU, including other processes (PostgreSQL, other jobs).`,
  );

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys = {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };

  const load = new LoadGenerator();
  await load.expect('ready', loadStartTimeoutMs);

  const rows: Row[] = [];
  const skipped: string[] = [];

  console.log('\n=== SQLite ===');
  if (onlyDatabases && !onlyDatabases.includes('sqlite')) {
    console.log('SQLite not selected (OPENWAAS_BENCH_DATABASES)');
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'openwaas-bench-'));
    const removeDir = onCleanup(`temp dir ${dir}`, async () => rmSync(dir, { recursive: true, force: true }));
    rows.push(...(await benchDatabase('SQLite', join(dir, 'openwaas.sqlite'), keys, load, limit)));
    await removeDir();
  }

  const redacted = (() => {
    const u = new URL(pgUrl);
    if (u.password) u.password = '***';
    return u.toString();
  })();
  console.log(`\n=== PostgreSQL (${redacted}) ===`);
  const unreachable = onlyDatabases && !onlyDatabases.includes('postgres') ? undefined : await postgresReachable();
  if (onlyDatabases && !onlyDatabases.includes('postgres')) {
    console.log('PostgreSQL not selected (OPENWAAS_BENCH_DATABASES)');
  } else if (unreachable !== undefined) {
    const why = `PostgreSQL SKIPPED: ${redacted} is not reachable (${unreachable}); set OPENWAAS_BENCH_DATABASE_URL`;
    console.log(why);
    skipped.push(why);
  } else {
    const schema = await freshPostgresSchema();
    console.log(`fresh schema ${schema.schema} (dropped afterwards)`);
    rows.push(...(await benchDatabase('PostgreSQL', schema.url, keys, load, limit)));
    await schema.drop();
  }

  await load.stop();

  console.log('\n=== summary: the service\'s RSA blocks/s as a share of the machine limit ===');
  for (const r of rows) {
    const met = r.ratio * 100 >= r.aimPercent;
    console.log(
      `  ${r.database.padEnd(11)} ${r.label.padEnd(22)} ${pad(fmt(r.result.ok / r.result.windowSeconds), 8)} req/s  ${pad(fmt(r.serverBlocksPerS), 8)} blocks/s = ${pad(fmt(r.ratio * 100), 5)} % of ${fmt(limit)} (aim ≥ ${r.aimPercent} %: ${met ? 'met' : 'NOT met'})`,
    );
  }
  for (const s of skipped) console.log(`  ${s}`);
  console.log(`  (all blocks on the machine incl. load generator + merchant: ${rows.map((r) => `${r.database} ${r.label.split(' ')[0]} ${fmt(r.machineRatio * 100)} %`).join(', ')})`);

  const failed = rows.filter((r) => r.result.ok === 0 || r.result.errors > 0.01 * (r.result.ok + r.result.errors));
  console.log(`\ntotal ${fmt((performance.now() - started) / 1000)} s`);
  if (failed.length > 0) {
    console.log(`FAILED: errors above 1 % (or no successful call) in ${failed.map((r) => `${r.database} ${r.label}`).join(', ')}`);
    return 1;
  }
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 1;
} finally {
  await cleanupAll();
}
process.exit(exitCode);
