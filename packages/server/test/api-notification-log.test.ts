/**
 * The merchant's delivery log (an extension under /api/v2/ext, docs/api-extensions.md): its own
 * notifications with every delivery attempt, and a resend — through the SDK and its CLI, against
 * a real service whose notifier delivers to a real local endpoint.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createNotificationHandler, toNodeHttpHandler, WaasError } from '@openwaas/sdk';
import { updateMerchant } from '../src/modules/merchants/index.js';
import { eachDatabase, startTestService, type TestService, type TestMerchant } from './support/service.js';
import { enqueueDeposits, notificationRow, startMerchantServer, waitFor, type MerchantServer } from './ops-helpers.js';

const sdkMain = fileURLToPath(new URL('../../sdk/src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

eachDatabase('merchant delivery log (ext/notifications)', (kind) => {
  let t: TestService;
  let other: TestMerchant;
  let endpoint: MerchantServer;
  let accept = false;
  let dir: string;

  before(async () => {
    t = await startTestService({ kind, config: { workers: true, notifyScheduleMs: [100] } });
    other = await t.addMerchant({ name: 'Other Merchant' });
    const handler = toNodeHttpHandler(createNotificationHandler({ walletPublicKey: t.walletPublicKeyPem, onNotification: () => {} }));
    endpoint = await startMerchantServer((req, res) => (accept ? handler(req, res) : res.writeHead(200, { 'content-type': 'text/plain' }).end('FAILURE')));
    await updateMerchant(t.ctx.store.db, t.appId, { notifyUrl: endpoint.url });
    dir = mkdtempSync(join(tmpdir(), 'openwaas-log-'));
    writeFileSync(join(dir, 'waas.json'), JSON.stringify({ baseUrl: t.baseUrl, appId: t.appId, privateKey: t.merchantPrivateKeyPem, walletPublicKey: t.walletPublicKeyPem }));
  });
  after(async () => {
    await endpoint.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists only the merchant\'s own notifications with each attempt; a resend delivers it again; another merchant\'s is not resent', async () => {
    const [mine] = await enqueueDeposits(t.ctx, Number(t.merchant.id), 1, 7001);
    const [theirs] = await enqueueDeposits(t.ctx, Number(other.merchant.id), 1, 7002);
    await waitFor('the schedule exhausted', async () => (await notificationRow(t.ctx, mine!)).state === 'failed');

    const listed = await t.client.notificationList();
    assert.deepEqual(listed.map((n) => n.notify_id), [String(mine)], 'only this merchant\'s');
    const [failed] = listed;
    assert.equal(failed!.state, 'failed');
    assert.equal(failed!.id, '7001');
    assert.equal(failed!.payload['txid'], '0x7001');
    assert.equal(failed!.attempts_log.length, 2);
    for (const a of failed!.attempts_log) {
      assert.equal(a.http_status, '200');
      assert.equal(a.answer_excerpt, 'FAILURE');
      assert.notEqual(a.error, '');
    }
    assert.deepEqual(await t.client.notificationList({ state: 'delivered' }), []);
    assert.deepEqual(await other.client.notificationList().then((l) => l.map((n) => n.notify_id)), [String(theirs)]);

    accept = true;
    const resent = await t.client.notificationResend({ notify_id: mine! });
    assert.equal(resent.notify_id, String(mine));
    assert.notEqual(resent.state, 'failed');
    await waitFor('delivered after the resend', async () => (await notificationRow(t.ctx, mine!)).state === 'delivered');
    const [delivered] = await t.client.notificationList({ state: 'delivered' });
    assert.equal(delivered!.notify_id, String(mine));
    assert.notEqual(delivered!.delivered_at, '');
    assert.deepEqual(delivered!.attempts_log.map((a) => a.error === ''), [false, false, true]);

    await assert.rejects(t.client.notificationResend({ notify_id: theirs! }), (e: unknown) => e instanceof WaasError && e.code === '100004' && /no notification/.test(e.msg));
    assert.equal((await notificationRow(t.ctx, theirs!)).attempts, 0, 'the other merchant\'s notification was not touched');
    await assert.rejects(t.client.notificationList({ limit: 101 }), (e: unknown) => e instanceof WaasError && e.code === '100004');

    // The same log through the CLI.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WAAS_')));
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((ok) =>
      execFile(process.execPath, ['--conditions=source', '--import', tsx, sdkMain, 'notifications', 'list', '--config', 'waas.json'], { cwd: dir, env, timeout: 120_000 }, (error, stdout, stderr) =>
        ok({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^#${mine} deposit id 7001: 1.5 ETH status 1 — delivered after 3 attempts`, 'm'));
    assert.match(run.stdout, /attempt 1 at .*: HTTP 200 "FAILURE" — /);
    assert.match(run.stdout, /attempt 3 at .*: HTTP 200 "SUCCESS" — delivered/);
  });
});
