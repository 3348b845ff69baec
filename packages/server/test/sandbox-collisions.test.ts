/**
 * `openwaas sandbox` run twice, or onto busy ports: the second refuses clearly before it starts
 * a chain or rewrites chain.json / env; a lock left by a dead sandbox is taken over; a chainless
 * sandbox writes its env file, prints the console's URL and demo accounts (their credentials only
 * in the banner), and `sandbox deposit` says it has no chain.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { spawnCli, untilOutput, type CliChild } from './support/cli.js';
import { totpCodeAt } from './support/operators.js';

const startTimeoutMs = 60_000;

const root = mkdtempSync(join(tmpdir(), 'openwaas-sandbox-collisions-'));
const running = new Set<CliChild>();

function openwaas(args: string[], env: Record<string, string> = {}): CliChild {
  const { OPENWAAS_CONFIG: _c, OPENWAAS_OPERATOR_TOKEN: _t, DATABASE_URL: _d, PORT: _p, HOST: _h, LOG_LEVEL: _l, OPENWAAS_CHAINS: _ch, OPENWAAS_OPERATOR_PORT: _op, ...inherited } = process.env;
  const run = spawnCli(args, { env: { ...inherited, DATABASE_URL: join(root, 'shared.sqlite'), ...env }, cwd: root });
  running.add(run);
  return run;
}

const waitFor = <T>(run: CliChild, what: string, check: () => T | undefined): Promise<T> => untilOutput(run, what, check, startTimeoutMs);

/** Runs a command to its end: exit code and output. */
async function finished(args: string[], env: Record<string, string> = {}) {
  const run = openwaas(args, env);
  const code = await run.exited;
  running.delete(run);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, port: (server.address() as AddressInfo).port };
}

const files = (dir: string) => ['chain.json', 'env', 'keystore.json', 'operator-token', 'sandbox.lock'].filter((f) => existsSync(join(dir, f)));

describe('sandbox collisions', () => {
  after(async () => {
    for (const run of [...running]) await run.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a second sandbox on a running one refuses before touching its chain.json and env', async () => {
    const dir = join(root, 'demo-a');
    const first = openwaas(['sandbox', '--dir', dir, '--port', '0', '--json', '--quiet', '--block-time', '200'], { DATABASE_URL: join(root, 'a.sqlite') });
    const info = await waitFor(first, 'the JSON line', () => {
      const line = first.stdout().split('\n').find((l) => l.startsWith('{'));
      return line ? (JSON.parse(line) as { url: string; operator: string; chain: { rpc_url: string } }) : undefined;
    });
    // The operator API has its own port, named in the JSON.
    assert.match(info.operator, /^http:\/\/127\.0\.0\.1:\d+\/operator\/v1$/);
    assert.notEqual(new URL(info.operator).port, new URL(info.url).port);
    const token = readFileSync(join(dir, 'operator-token'), 'utf8').trim();
    assert.equal((await fetch(`${info.operator}/merchants`, { headers: { authorization: `Bearer ${token}` } })).status, 200);

    const before = { chain: readFileSync(join(dir, 'chain.json'), 'utf8'), env: readFileSync(join(dir, 'env'), 'utf8') };
    const second = await finished(['sandbox', '--dir', dir, '--port', '0', '--block-time', '200'], { DATABASE_URL: join(root, 'a.sqlite') });
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, new RegExp(`a sandbox is already running in ${dir} \\(pid ${first.child.pid}`));
    assert.doesNotMatch(second.stderr, /EADDRINUSE/);
    assert.equal(readFileSync(join(dir, 'chain.json'), 'utf8'), before.chain);
    assert.equal(readFileSync(join(dir, 'env'), 'utf8'), before.env);
    // The first one still holds its folder and its chain still answers.
    assert.equal(JSON.parse(readFileSync(join(dir, 'sandbox.lock'), 'utf8')).pid, first.child.pid);
    const head = await fetch(info.chain.rpc_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }) });
    assert.equal(head.status, 200);

    await first.stop();
    assert.equal(existsSync(join(dir, 'sandbox.lock')), false);
  });

  it('a busy port is refused by name before anything is written', async () => {
    const busy = await listening();
    try {
      const cases: Array<{ args: string[]; what: RegExp }> = [
        { args: ['--port', String(busy.port), '--no-chain'], what: /wallet service \(--port\)/ },
        { args: ['--port', '0', '--operator-port', String(busy.port), '--no-chain'], what: /operator API \(--operator-port\)/ },
        { args: ['--port', '0', '--merchant-port', String(busy.port), '--no-chain'], what: /demo merchant app \(--merchant-port\)/ },
        { args: ['--port', '0', '--chain-port', String(busy.port)], what: /local chain \(--chain-port\)/ },
      ];
      for (const [i, c] of cases.entries()) {
        const dir = join(root, `demo-busy-${i}`);
        const r = await finished(['sandbox', '--dir', dir, ...c.args], { DATABASE_URL: join(root, `busy-${i}.sqlite`) });
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stderr, new RegExp(`port ${busy.port} on 127\\.0\\.0\\.1 for the `));
        assert.match(r.stderr, c.what);
        assert.match(r.stderr, /already in use/);
        assert.deepEqual(files(dir), [], `${dir} holds ${files(dir).join(', ')}`);
        assert.equal(existsSync(join(root, `busy-${i}.sqlite`)), false);
      }
    } finally {
      await new Promise<void>((ok) => busy.server.close(() => ok()));
    }
  });

  it('takes over a dead sandbox lock; a chainless sandbox writes env, names its operator URL, and `sandbox deposit` says it has no chain', async () => {
    const dir = join(root, 'demo-b');
    mkdirSync(dir, { recursive: true });
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(join(dir, 'sandbox.lock'), JSON.stringify({ pid: dead.pid, started_at: '2020-01-01T00:00:00.000Z' }) + '\n');
    // An earlier sandbox with a chain left these: the chainless one must not leave tools on them.
    writeFileSync(join(dir, 'env'), "export OPENWAAS_CHAINS='[{\"id\":\"evm:31337\",\"rpcUrl\":\"http://127.0.0.1:1\"}]'\n");
    const database = join(root, 'b.sqlite');

    const sandbox = openwaas(['sandbox', '--dir', dir, '--port', '0', '--no-chain'], { DATABASE_URL: database });
    const banner = await waitFor(sandbox, 'the banner', () => (sandbox.stdout().includes('Ctrl-C stops the sandbox.') ? sandbox.stdout() : undefined));
    const service = /wallet service\s+(http:\/\/\S+)/.exec(banner)?.[1];
    const operator = /operator API\s+(http:\/\/\S+)/.exec(banner)?.[1];
    assert.ok(service && operator, banner);
    assert.match(operator, /^http:\/\/127\.0\.0\.1:\d+\/operator\/v1$/);
    assert.notEqual(new URL(operator).port, new URL(service).port);
    assert.equal(JSON.parse(readFileSync(join(dir, 'sandbox.lock'), 'utf8')).pid, sandbox.child.pid);

    // The console's URL and its demo accounts, printed in the banner (a dev sandbox) as kept in DIR.
    const consoleUrl = /console\s+(http:\/\/\S+)/.exec(banner)?.[1];
    assert.equal(consoleUrl, `${new URL(operator).origin}/console/`);
    const kept = JSON.parse(readFileSync(join(dir, 'console-accounts.json'), 'utf8')) as { accounts: Array<{ name: string; roles: string[]; password: string; otpauth_uri: string; totp_secret: string }> };
    assert.equal(statSync(join(dir, 'console-accounts.json')).mode & 0o777, 0o600);
    assert.deepEqual(kept.accounts.map((a) => [a.name, a.roles]), [['sandbox-admin', ['admin']], ['sandbox-reviewer', ['reviewer']]]);
    for (const a of kept.accounts) {
      assert.ok(banner.includes(`${a.name} / password ${a.password} / TOTP secret ${a.totp_secret}`), banner);
      assert.ok(!sandbox.stderr().includes(a.password) && !sandbox.stderr().includes(a.totp_secret), 'credentials only in the banner');
    }
    const reviewer = kept.accounts[1]!;
    const login = await fetch(`${operator}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: reviewer.name, password: reviewer.password, totp: totpCodeAt(reviewer.otpauth_uri, Date.now()) }) });
    assert.equal(login.status, 200, await login.clone().text());
    assert.deepEqual(((await login.json()) as { operator: { roles: string[] } }).operator.roles, ['reviewer']);

    const env = readFileSync(join(dir, 'env'), 'utf8');
    assert.match(env, new RegExp(`export DATABASE_URL='${database}'`));
    assert.doesNotMatch(env, /export OPENWAAS_CHAINS/);
    assert.match(env, /unset OPENWAAS_CHAINS/);

    const deposit = await finished(['sandbox', 'deposit', '1', 'ETH', '1', '--dir', dir], { DATABASE_URL: database });
    assert.notEqual(deposit.code, 0);
    assert.match(deposit.stderr, /has no chain \(started with --no-chain\)/);
    assert.ok(deposit.stderr.includes(`${operator}/balances/credit`), deposit.stderr);

    await sandbox.stop();
    assert.equal(existsSync(join(dir, 'sandbox.lock')), false);
    const stopped = await finished(['sandbox', 'deposit', '1', 'ETH', '1', '--dir', dir], { DATABASE_URL: database });
    assert.notEqual(stopped.code, 0);
    assert.match(stopped.stderr, /no sandbox is running in/);
  });
});
