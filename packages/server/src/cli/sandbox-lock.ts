/**
 * One sandbox per demo folder, and no half-started second one: `sandbox` takes DIR/sandbox.lock
 * (its pid inside, written exclusively) and checks every port it will listen on before it
 * touches the chain, the key store or the files other tools read (chain.json, env). A lock
 * left by a process that no longer runs is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CommandFailed } from './args.js';
import { sandboxLockAttemptsMax } from '../limits.js';

/** What DIR/sandbox.lock says about the sandbox holding it. */
export interface SandboxLockInfo {
  pid: number;
  started_at: string;
  /** Known once the sandbox listens. */
  url?: string;
  operator?: string;
  /** False for `sandbox --no-chain`: `sandbox deposit` has nothing to send on. */
  chain?: boolean;
}

export const sandboxLockFile = (dir: string) => join(dir, 'sandbox.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): SandboxLockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as SandboxLockInfo;
    return Number.isSafeInteger(info.pid) && info.pid > 0 ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The sandbox running in `dir`, if one does (a lock held by a live process). */
export function runningSandbox(dir: string): SandboxLockInfo | undefined {
  const info = readLock(sandboxLockFile(dir));
  return info && alive(info.pid) ? info : undefined;
}

export function describeSandbox(dir: string, info: SandboxLockInfo): string {
  return `a sandbox is already running in ${dir} (pid ${info.pid}, started ${info.started_at}${info.url ? `, wallet service ${info.url}` : ''})`;
}

/** DIR/sandbox.lock held by this process until release(). */
export interface SandboxLock {
  /** Adds what the sandbox became (URLs, chain or not) for other commands to read. */
  update(info: Omit<SandboxLockInfo, 'pid' | 'started_at'>): void;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

/** Takes DIR/sandbox.lock or fails naming the running sandbox; a dead holder's lock is taken over. */
export function acquireSandboxLock(dir: string): SandboxLock {
  const file = sandboxLockFile(dir);
  const mine: SandboxLockInfo = { pid: process.pid, started_at: new Date().toISOString() };
  for (let attempt = 1; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine) + '\n', { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLock(file);
      if (holder && alive(holder.pid)) throw new CommandFailed(`${describeSandbox(dir, holder)}: stop it (Ctrl-C) or use another --dir`);
      if (attempt >= sandboxLockAttemptsMax) throw new CommandFailed(`cannot take the sandbox lock ${file}: another sandbox is starting in ${dir}`);
      // Left by a sandbox that died (or half-written by one that is starting: the retry decides).
      if (holder || attempt > 1) {
        try {
          unlinkSync(file);
        } catch {
          // another starting sandbox took it over first: the next attempt sees its lock
        }
      }
    }
  }
  let current = mine;
  let released = false;
  const ours = () => readLock(file)?.pid === process.pid;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    try {
      if (ours()) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  // A crash or process.exit on the way out still frees the folder.
  process.once('exit', release);
  return {
    update(info) {
      if (released || !ours()) return;
      current = { ...current, ...info };
      writeFileSync(file, JSON.stringify(current) + '\n', { mode: 0o600 });
    },
    release,
  };
}

/** What a port is for, for the message when it is taken. */
export interface PortUse {
  host: string;
  port: number;
  /** e.g. "wallet service (--port)". */
  what: string;
}

function portFree(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** Fails naming the first busy port of `uses` (port 0 = any free port, never busy). */
export async function checkPortsFree(uses: readonly PortUse[]): Promise<void> {
  for (const use of uses) {
    if (use.port === 0) continue;
    const error = await portFree(use.host, use.port);
    if (!error) continue;
    const why = error.code === 'EADDRINUSE' ? 'is already in use (another sandbox or service?)' : `cannot be used (${error.code ?? error.message})`;
    throw new CommandFailed(`port ${use.port} on ${use.host} for the ${use.what} ${why}: stop what listens there or choose another port`);
  }
}
