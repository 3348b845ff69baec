/**
 * A real service for the console's end-to-end tests: the test service (real HTTP listeners, a
 * real SQLite database) with the operator API on and the console built from its sources (one
 * build shared by the run's test processes, see buildConsole), served at /console on the operator listener.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { OperatorEnrolment } from '../../../server/src/contracts/operator.js';
import type { OperatorRole } from '../../../server/src/modules/operators/index.js';
import { totpStep } from '../../../server/src/modules/operators/index.js';
import { enrolOperator, totpCodeAt } from '../../../server/test/support/operators.js';
import { startTestService, type StartTestServiceOptions, type TestService } from '../../../server/test/support/service.js';
import { startChainWorld, type ChainWorld } from '../../../server/test/support/chain-world.js';

const consolePackage = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The console built from its sources as they are now, shared by every test process of a run:
 * the build goes to a folder named by a digest of the sources (the console's and the server's
 * contract code it bundles), made by the first process under a lock; the others wait for it
 * (Vite refuses two builds of one project at a time) and reuse it. Returns the folder.
 */
export function buildConsole(): string {
  const outDir = join(tmpdir(), `openwaas-console-build-${sourcesDigest()}`);
  const ready = () => existsSync(join(outDir, 'index.html'));
  const lock = `${outDir}.lock`;
  const deadline = Date.now() + consoleBuildWaitMs;
  while (!ready()) {
    if (takeLock(lock)) {
      try {
        if (!ready()) {
          const building = `${outDir}.tmp-${process.pid}`;
          rmSync(building, { recursive: true, force: true });
          const vite = fileURLToPath(new URL('../../../../node_modules/vite/bin/vite.js', import.meta.url));
          const built = spawnSync(process.execPath, [vite, 'build', '--outDir', building, '--emptyOutDir', '--logLevel', 'warn'], { cwd: consolePackage, encoding: 'utf8' });
          if (built.status !== 0) throw new Error(`vite build failed (${built.status}): ${built.stderr}${built.stdout}`);
          renameSync(building, outDir);
        }
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      if (Date.now() > deadline) throw new Error(`the console build under ${lock} did not finish within ${consoleBuildWaitMs} ms`);
      Atomics.wait(pause, 0, 0, consoleBuildPollMs);
    }
  }
  return outDir;
}

/** Generous: another test process may be building on a loaded machine. */
const consoleBuildWaitMs = 300_000;
const consoleBuildPollMs = 200;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** The lock is a directory holding its owner's pid; one whose owner is gone is taken over. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch {
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      return false; // being written: its owner is alive
    }
    try {
      process.kill(owner, 0);
      return false;
    } catch {
      rmSync(lock, { recursive: true, force: true });
      return false;
    }
  }
}

/** A digest of the files the build reads: their paths, sizes and modification times. */
function sourcesDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(path);
        hash.update(`${path}:${stat.size}:${stat.mtimeMs}\n`);
      }
    }
  };
  walk(join(consolePackage, 'src'));
  walk(fileURLToPath(new URL('../../../server/src', import.meta.url)));
  for (const file of ['index.html', 'vite.config.ts', 'package.json']) {
    const stat = statSync(join(consolePackage, file));
    hash.update(`${file}:${stat.size}:${stat.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

export interface ConsoleService {
  t: TestService;
  /** With `chain: true`: the real anvil node the service follows and pays on, its wallets funded. */
  world: ChainWorld | undefined;
  /** The console's address, e.g. http://127.0.0.1:4321/console/ */
  consoleUrl: string;
  /** A new operator account with its one-time password and TOTP enrolment. */
  account(name: string, roles: OperatorRole[]): Promise<OperatorEnrolment>;
  close(): Promise<void>;
}

/**
 * The service with the console built and served; `chain: true` starts it on a real anvil node
 * (chain-world.ts: scanner and payer running, hot and fee wallets funded) for pages that show
 * chain state.
 */
export async function startConsoleService(options: Partial<StartTestServiceOptions> & { chain?: boolean } = {}): Promise<ConsoleService> {
  const dist = buildConsole();
  const config = { operatorApi: true, consoleDir: dist, ...options.config };
  let world: ChainWorld | undefined;
  let t: TestService;
  if (options.chain) {
    world = await startChainWorld({ kind: options.kind ?? 'sqlite', config });
    t = world.t;
  } else {
    t = await startTestService({ kind: 'sqlite', ...options, config });
  }
  return {
    t,
    world,
    consoleUrl: `${new URL(t.operatorUrl!).origin}/console/`,
    account: (name, roles) => enrolOperator(t, name, roles),
    close: async () => {
      if (world) await world.close();
      else await t.close();
      // The build stays: other test processes of the run serve it too.
    },
  };
}

/** The last TOTP step each account logged in with: the service refuses a code's step twice. */
const lastStep = new Map<string, number>();

/** A code of `account`'s authenticator the service has not seen yet (waits for the next step when both of the window are used). */
export async function freshTotp(account: OperatorEnrolment): Promise<string> {
  const key = account.otpauth_uri;
  for (;;) {
    const now = Date.now();
    const step = Math.max(totpStep(now), (lastStep.get(key) ?? -1) + 1);
    // One step of drift ahead is accepted; further ahead, wait for the clock (the authenticator's own state).
    if (step <= totpStep(now) + 1) {
      lastStep.set(key, step);
      return totpCodeAt(account.otpauth_uri, now, step - totpStep(now));
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Signs in on the login page with the account's password and a fresh authenticator code; resolves once the console shows the operator. */
export async function loginAs(page: Page, consoleUrl: string, account: OperatorEnrolment): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel('Account').fill(account.operator.name);
  await page.getByLabel('Password').fill(account.password);
  await page.getByLabel('Authenticator code').fill(await freshTotp(account));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: new RegExp(`^${account.operator.name} ·`) }).waitFor();
}
