import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { anvilStartTimeoutMs, anvilStopGraceMs } from '../../limits.js';

/** The mnemonic anvil (and hardhat) use by default: its first accounts hold 10,000 ETH each. */
export const ANVIL_DEFAULT_MNEMONIC = 'test test test test test test test test test test test junk';
export const ANVIL_DEFAULT_CHAIN_ID = 31337;

export interface StartAnvilOptions {
  /** Interval mining every `blockTimeMs` (fractional seconds are passed to anvil). Omitted: auto-mine each transaction. */
  blockTimeMs?: number;
  /** Chain id; 31337 unless given. */
  chainId?: number;
  /** Mnemonic of the funded dev accounts; anvil's `test … junk` unless given. */
  mnemonic?: string;
  /** How long to wait for `Listening on …` before giving up (default 15 s). */
  startTimeoutMs?: number;
  /** Path of an anvil binary; default: `$ANVIL_BIN`, then the `@foundry-rs/anvil-<os>-<arch>` npm package. */
  binary?: string;
  /** Extra command-line arguments (e.g. `['--steps-tracing']`). */
  extraArgs?: string[];
  /** Port to listen on (a restarted node keeps its URL); default: a free port. */
  port?: number;
  /**
   * State file: loaded at start when it exists, written when the node stops (SIGTERM), with
   * historical states so blocks mined before a restart can still be traced.
   */
  state?: string;
}

export interface AnvilInstance {
  rpcUrl: string;
  chainId: number;
  /** Stops the node (SIGTERM, then SIGKILL after 3 s); resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
  process: ChildProcess;
}

/** npm platform package that ships the anvil binary for this machine. */
export function anvilPackageName(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'win32' : platform;
  const cpu = arch === 'x64' ? 'amd64' : arch;
  return `@foundry-rs/anvil-${os}-${cpu}`;
}

/** Absolute path of the anvil binary: `$ANVIL_BIN`, else the platform npm package; a clear error when neither exists. */
export function resolveAnvilBinary(): string {
  const fromEnv = process.env.ANVIL_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`ANVIL_BIN points at ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const pkg = anvilPackageName();
  let pkgJson: string;
  try {
    pkgJson = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(
      `anvil is not installed for ${process.platform}/${process.arch}: the npm package ${pkg} was not found. ` +
        `Run \`npm install -w packages/server ${pkg}\` (only linux/x64 is declared as an optional dependency), ` +
        'or set ANVIL_BIN to an anvil binary (https://getfoundry.sh).',
    );
  }
  const bin = join(dirname(pkgJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(bin)) throw new Error(`${pkg} is installed but has no binary at ${bin}; reinstall it`);
  return bin;
}

/** Children still running, killed synchronously if this process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * Starts a local anvil dev node on 127.0.0.1 and a free port (`--port 0`, unless `port`), resolving once it
 * prints `Listening on 127.0.0.1:<port>`. Rejects (and kills the process) if it exits first or
 * does not listen within `startTimeoutMs`.
 */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilInstance> {
  const binary = options.binary ?? resolveAnvilBinary();
  const chainId = options.chainId ?? ANVIL_DEFAULT_CHAIN_ID;
  const startTimeoutMs = options.startTimeoutMs ?? anvilStartTimeoutMs;
  const args = ['--host', '127.0.0.1', '--port', String(options.port ?? 0), '--chain-id', String(chainId), '--mnemonic', options.mnemonic ?? ANVIL_DEFAULT_MNEMONIC];
  if (options.blockTimeMs !== undefined) {
    if (!(options.blockTimeMs > 0)) throw new Error(`blockTimeMs must be positive, got ${options.blockTimeMs}`);
    args.push('--block-time', String(options.blockTimeMs / 1000));
  }
  if (options.state !== undefined) args.push('--state', options.state, '--preserve-historical-states');
  args.push(...(options.extraArgs ?? []));

  installExitHook();
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  void exited.then(() => live.delete(child));

  // Keep the last lines for error messages; keep draining both pipes so anvil never blocks on a full pipe.
  const tail: string[] = [];
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  const stderr = createInterface({ input: child.stderr! });
  stderr.on('line', remember);
  const stdout = createInterface({ input: child.stdout! });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), anvilStopGraceMs);
      await exited;
      clearTimeout(timer);
    }
    live.delete(child);
  };

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`anvil did not start listening within ${startTimeoutMs} ms:\n${tail.join('\n')}`)),
        startTimeoutMs,
      );
      const onLine = (line: string) => {
        remember(line);
        const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          stdout.off('line', onLine);
          resolve(Number(m[1]));
        }
      };
      stdout.on('line', onLine);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`could not run anvil (${binary}): ${err.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`anvil exited before listening (code ${code}, signal ${signal}):\n${tail.join('\n')}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  // After start-up: drain stdout (anvil logs each RPC call) without keeping it.
  stdout.on('line', () => {});
  return { rpcUrl: `http://127.0.0.1:${port}`, chainId, stop, process: child };
}
