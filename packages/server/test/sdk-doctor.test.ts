/**
 * `openwaas-sdk doctor` as a merchant developer runs it: its own process, against a real
 * service and a real local merchant app, each failure mode shown with a fix and exit 1.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConfirmationResponder, createNotificationHandler, toNodeHttpHandler } from '@openwaas/sdk';
import { startTestService, type TestService } from './support/service.js';

const sdkMain = fileURLToPath(new URL('../../sdk/src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sdkCli(args: string[], cwd: string): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WAAS_')));
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=source', '--import', tsx, sdkMain, ...args], { env, cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function pem() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

function listen(server: Server): Promise<string> {
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const closeServer = (server: Server) => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); });

const line = (run: Run, check: string) => run.stdout.split('\n').find((l) => l.slice(6).startsWith(check)) ?? `(no ${check} line)\n${run.stdout}\n${run.stderr}`;

describe('openwaas-sdk doctor', () => {
  let t: TestService;
  let dir: string;
  let app: Server;
  let appUrl: string;
  let silent: Server;
  let silentUrl: string;
  let closedUrl: string;
  const testWallet = pem();

  before(async () => {
    t = await startTestService({ kind: 'sqlite' });
    dir = mkdtempSync(join(tmpdir(), 'openwaas-doctor-'));
    writeFileSync(join(dir, 'merchant-private.pem'), t.merchantPrivateKeyPem);
    writeFileSync(join(dir, 'wallet-public.pem'), t.walletPublicKeyPem);
    writeFileSync(join(dir, 'test-wallet-private.pem'), testWallet.privatePem);
    writeFileSync(join(dir, 'other-private.pem'), pem().privatePem);
    const config = { baseUrl: t.baseUrl, appId: t.appId, privateKey: 'merchant-private.pem', walletPublicKey: 'wallet-public.pem' };
    writeFileSync(join(dir, 'waas.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'wrong-key.json'), JSON.stringify({ ...config, privateKey: 'other-private.pem' }));
    writeFileSync(join(dir, 'wrong-wallet.json'), JSON.stringify({ ...config, walletPublicKey: pem().publicPem }));

    // The developer's app: trusts the test wallet key; /refuse trusts another key and so answers FAILURE.
    const confirm = toNodeHttpHandler(createConfirmationResponder({ walletPublicKey: testWallet.publicPem, privateKey: t.merchantPrivateKeyPem, approveWithdraw: () => true, approveTransfer: () => true }));
    const notify = toNodeHttpHandler(createNotificationHandler({ walletPublicKey: testWallet.publicPem, onNotification: () => {} }));
    const refuse = toNodeHttpHandler(createNotificationHandler({ walletPublicKey: pem().publicPem, onNotification: () => {} }));
    const routes: Record<string, ReturnType<typeof toNodeHttpHandler>> = { '/confirm': confirm, '/notify': notify, '/refuse': refuse };
    app = createServer((req, res) => {
      const handler = routes[req.url ?? ''];
      if (handler) return handler(req, res);
      res.writeHead(404).end();
    });
    appUrl = await listen(app);
    // Accepts connections and never answers.
    silent = createServer(() => {});
    silentUrl = await listen(silent);
    const gone = createServer();
    closedUrl = await listen(gone);
    await closeServer(gone);
  });

  after(async () => {
    await closeServer(app);
    await closeServer(silent);
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes every check against a healthy service and app (exit 0)', async () => {
    const run = await sdkCli(['doctor', '--config', 'waas.json', '--notify-url', `${appUrl}/notify`, '--confirm-url', `${appUrl}/confirm`, '--callback-wallet-key', 'test-wallet-private.pem'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    for (const check of ['service', 'keys', 'clock', 'confirm', 'notify']) assert.match(line(run, check), /^ok /, check);
    assert.match(run.stdout, /all checks that ran passed/);
  });

  it('without the callback wallet key, skips the callback checks and says why', async () => {
    const run = await sdkCli(['doctor', '--config', 'waas.json', '--notify-url', `${appUrl}/notify`], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(line(run, 'notify'), /^skip .*--callback-wallet-key/);
    assert.match(line(run, 'confirm'), /^skip .*no --confirm-url/);
  });

  it('a private key that is not the registered pair: keys fail with 100005 and the fix (exit 1)', async () => {
    const run = await sdkCli(['doctor', '--config', 'wrong-key.json'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(line(run, 'service'), /^ok /);
    assert.match(line(run, 'keys'), /^FAIL .*100005/);
    assert.match(run.stdout, /fix: the service could not open our request: privateKey/);
  });

  it('a wallet public key that is not the service\'s: keys fail naming walletPublicKey (exit 1)', async () => {
    const run = await sdkCli(['doctor', '--config', 'wrong-wallet.json'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(line(run, 'keys'), /^FAIL .*does not open with walletPublicKey/);
  });

  it('the service down: service fails, the checks that need it are skipped (exit 1)', async () => {
    const run = await sdkCli(['doctor', '--config', 'waas.json', '--base-url', closedUrl], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(line(run, 'service'), /^FAIL .*does not answer/);
    assert.match(run.stdout, /fix: is the service running there\?/);
    assert.match(line(run, 'keys'), /^skip /);
  });

  it('a notification URL answering FAILURE and a confirmation URL that never answers fail with their fixes (exit 1)', async () => {
    const run = await sdkCli(['doctor', '--config', 'waas.json', '--timeout-ms', '3000', '--notify-url', `${appUrl}/refuse`, '--confirm-url', `${silentUrl}/confirm`, '--callback-wallet-key', 'test-wallet-private.pem'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(line(run, 'keys'), /^ok /);
    assert.match(line(run, 'notify'), /^FAIL .*FAILURE/);
    assert.match(line(run, 'confirm'), /^FAIL .*did not answer: no answer within 3000 ms/);
    assert.match(run.stdout, /2 checks failed/);
  });

  it('a confirmation URL that does not exist (HTTP 404) fails', async () => {
    const run = await sdkCli(['doctor', '--config', 'waas.json', '--confirm-url', `${appUrl}/nowhere`, '--callback-wallet-key', 'test-wallet-private.pem'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(line(run, 'confirm'), /^FAIL .*HTTP 404/);
  });
});

describe('openwaas-sdk doctor, clock outside the window', () => {
  let t: TestService;
  let dir: string;

  before(async () => {
    // The service's clock ten minutes ahead of ours: every request's time is outside its ±5 min window.
    t = await startTestService({ kind: 'sqlite', clock: { nowMs: () => Date.now() + 600_000 } });
    dir = mkdtempSync(join(tmpdir(), 'openwaas-doctor-clock-'));
    writeFileSync(join(dir, 'waas.json'), JSON.stringify({ baseUrl: t.baseUrl, appId: t.appId, privateKey: t.merchantPrivateKeyPem, walletPublicKey: t.walletPublicKeyPem }));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the refused request time as a clock failure with the fix (exit 1)', async () => {
    const run = await sdkCli(['doctor', '--config', 'waas.json'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(line(run, 'keys'), /^FAIL .*refused the request's time/);
    assert.match(line(run, 'clock'), /^FAIL /);
    assert.match(run.stdout, /fix: set this machine's clock right \(NTP\)/);
  });
});
