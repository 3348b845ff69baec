/**
 * `openwaas-sdk listen` as a developer runs it: its own process, beside a sandbox-like service
 * (operator API on, its demo folder with lock, operator token and waas.json), forwarding a
 * deposit notification and a withdrawal confirmation to a real local app; refused for a
 * service that is not the sandbox; the merchant's callback URLs restored on exit.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConfirmationResponder, createNotificationHandler, toNodeHttpHandler, type Notification, type WithdrawConfirmationRequest } from '@openwaas/sdk';
import { eachDatabase, startTestService, type TestService } from './support/service.js';
import { operatorCall } from './support/operators.js';
import { enqueueDeposits } from './ops-helpers.js';

const sdkMain = fileURLToPath(new URL('../../sdk/src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WAAS_')));

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, detail: () => string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

eachDatabase('openwaas-sdk listen', (kind) => {
  let t: TestService;
  let dir: string;
  let app: Server;
  let appUrl: string;
  const notified: Notification[] = [];
  const confirmed: WithdrawConfirmationRequest[] = [];
  const oldNotify = 'http://127.0.0.1:9/old-notify';

  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true, workers: true, notifyScheduleMs: [100, 200, 400] } });
    dir = mkdtempSync(join(tmpdir(), 'openwaas-listen-'));
    const demo = join(dir, 'demo');
    mkdirSync(demo);
    writeFileSync(join(demo, 'merchant-private.pem'), t.merchantPrivateKeyPem);
    writeFileSync(join(demo, 'wallet-public.pem'), t.walletPublicKeyPem);
    writeFileSync(join(demo, 'waas.json'), JSON.stringify({ baseUrl: t.baseUrl, appId: t.appId, privateKey: 'merchant-private.pem', walletPublicKey: 'wallet-public.pem' }));
    writeFileSync(join(demo, 'operator-token'), t.operatorToken + '\n');
    writeFileSync(join(demo, 'sandbox.lock'), JSON.stringify({ pid: process.pid, started_at: new Date().toISOString(), url: t.baseUrl, operator: t.operatorUrl, chain: false }));
    const set = await operatorCall(t, 'PATCH', `/merchants/${t.appId}`, { body: { notify_url: oldNotify } });
    assert.equal(set.status, 200, set.text);

    const confirm = toNodeHttpHandler(createConfirmationResponder({ walletPublicKey: t.walletPublicKeyPem, privateKey: t.merchantPrivateKeyPem, approveWithdraw: (r) => (confirmed.push(r), true), approveTransfer: () => true }));
    const notify = toNodeHttpHandler(createNotificationHandler({ walletPublicKey: t.walletPublicKeyPem, onNotification: (n) => void notified.push(n) }));
    app = createServer((req, res) => (req.url === '/hooks/confirm' ? confirm(req, res) : req.url === '/hooks/notify' ? notify(req, res) : res.writeHead(404).end()));
    await new Promise<void>((ok) => app.listen(0, '127.0.0.1', () => ok()));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });

  after(async () => {
    app.closeAllConnections();
    await new Promise<void>((ok) => app.close(() => ok()));
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards a deposit notification and a withdrawal confirmation, printed decrypted with the app\'s answers; restores the URLs on exit', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, sdkMain, 'listen', '--config', 'demo/waas.json', '--forward', `${appUrl}/hooks/notify`, '--forward-confirm', `${appUrl}/hooks/confirm`], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    const detail = () => `stdout:\n${out}\nstderr:\n${err}`;
    try {
      await until('listen ready', () => out.includes('Ready:'), detail);
      const during = await operatorCall(t, 'GET', `/merchants/${t.appId}`);
      assert.match(during.json.notify_url, /^http:\/\/127\.0\.0\.1:\d+\/notify$/);
      assert.match(during.json.confirm_url, /^http:\/\/127\.0\.0\.1:\d+\/confirm$/);

      // A deposit notification, delivered by the service's notifier through the listener.
      const [notifyId] = await enqueueDeposits(t.ctx, Number(t.merchant.id), 1, 424242);
      await until('the app got the notification', () => notified.find((n) => n.notify_id === String(notifyId)), detail);
      await until('the notification printed', () => out.includes(`deposit notification #${notifyId}: id 424242`) && out.includes('app answered HTTP 200: SUCCESS'), detail);
      assert.match(out, /"txid": "0x424242"/, 'printed decrypted');

      // A withdrawal: the service asks for the second confirmation, the app approves through the listener.
      const { uid } = await t.client.registerEmail({ email: `listen-${kind}-${Date.now()}@example.com` });
      await t.credit({ symbol: 'ETH', amount: '3', uid: Number(uid) });
      const requestId = `listen-${kind}-${Date.now()}`;
      const w = await t.client.withdraw({ request_id: requestId, from_uid: uid, to_address: '0x' + '3'.repeat(40), amount: '1', symbol: 'ETH' });
      assert.ok(w.id, 'the withdrawal was accepted: the app confirmed it');
      assert.equal(confirmed.filter((c) => c.request_id === requestId).length, 1);
      await until('the confirmation printed', () => out.includes(`withdrawal confirmation ${requestId}: 1 ETH from uid ${uid}`) && /app answered HTTP 200, decrypted:\n\s+\{\n\s+"check_sum"/.test(out), detail);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, detail());
    assert.match(out, /restored notify_url http:\/\/127\.0\.0\.1:9\/old-notify, confirm_url \(none\)/);
    const restored = await operatorCall(t, 'GET', `/merchants/${t.appId}`);
    assert.equal(restored.json.notify_url, oldNotify);
    assert.equal(restored.json.confirm_url, null);
  });

  it('refuses a target that is not the running sandbox of the folder, changing nothing', async () => {
    const other = join(dir, 'not-a-sandbox');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'waas.json'), JSON.stringify({ baseUrl: t.baseUrl, appId: t.appId, privateKey: t.merchantPrivateKeyPem, walletPublicKey: t.walletPublicKeyPem }));
    const run = await new Promise<{ code: number; stderr: string }>((ok) =>
      execFile(process.execPath, ['--conditions=source', '--import', tsx, sdkMain, 'listen', '--config', 'not-a-sandbox/waas.json', '--forward', `${appUrl}/hooks`], { cwd: dir, env: cleanEnv(), timeout: 120_000 }, (error, _stdout, stderr) =>
        ok({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
      ),
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /is not the folder of a running sandbox/);
    // The demo folder with a baseUrl that is not the sandbox's: refused too.
    const elsewhere = await new Promise<{ code: number; stderr: string }>((ok) =>
      execFile(process.execPath, ['--conditions=source', '--import', tsx, sdkMain, 'listen', '--config', 'demo/waas.json', '--base-url', 'https://waas.example.com', '--forward', `${appUrl}/hooks`], { cwd: dir, env: cleanEnv(), timeout: 120_000 }, (error, _stdout, stderr) =>
        ok({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
      ),
    );
    assert.equal(elsewhere.code, 2, elsewhere.stderr);
    assert.match(elsewhere.stderr, /is not the sandbox running in/);
    const unchanged = await operatorCall(t, 'GET', `/merchants/${t.appId}`);
    assert.equal(unchanged.json.notify_url, oldNotify);
  });
});
