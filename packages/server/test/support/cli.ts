import { execFile } from 'node:child_process';
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
