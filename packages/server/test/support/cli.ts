import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run.js';

/** What a CLI run printed and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

/**
 * The two ways a test runs `openwaas`: in this process (for commands that only read: a second
 * SQLite writer in one process would wait on the service's lock), and as its own process, as an
 * operator runs it next to the service. `env` and `cwd` are read at each call.
 */
export function cliRunners(env: () => NodeJS.ProcessEnv, cwd: () => string, options: { processTimeoutMs?: number } = {}) {
  return {
    async cliHere(args: string[]): Promise<CliRun> {
      const out = { stdout: '', stderr: '' };
      const sink = (key: 'stdout' | 'stderr') => new Writable({ write(chunk, _enc, done) { out[key] += String(chunk); done(); } });
      const code = await runCli(args, { stdout: sink('stdout'), stderr: sink('stderr'), env: env(), cwd: cwd() });
      return { code, ...out };
    },
    cliProcess(args: string[]): Promise<CliRun> {
      return new Promise((resolve) => {
        execFile(process.execPath, ['--conditions=source', '--import', tsx, main, ...args], { env: { PATH: process.env.PATH ?? '', ...env() }, cwd: cwd(), timeout: options.processTimeoutMs ?? 120_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
        });
      });
    },
  };
}

/** An `openwaas` child process whose output the test reads as it comes. */
export interface CliChild {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** The complete stdout lines so far. */
  lines(): string[];
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM unless it has exited; resolves once it has. */
  stop(): Promise<void>;
}

/** Starts `openwaas ARGS` as its own process with exactly `env`, in `cwd`. */
export function spawnCli(args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }): CliChild {
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, main, ...args], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    lines: () => out.split('\n').slice(0, -1),
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `check` until it returns a value; fails with the process's output if it exits first or the deadline passes. */
export async function untilOutput<T>(run: CliChild, what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (run.child.exitCode !== null) throw new Error(`exited (${run.child.exitCode}) before ${what}:\n${run.stdout()}\n${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
