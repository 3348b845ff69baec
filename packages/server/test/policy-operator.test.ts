/** Policies and four-eyes review through the operator HTTP API and the CLI, on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createWithdrawConfirmation, toNodeHttpHandler, WithdrawStatus } from '@openwaas/sdk';
import { runCli } from '../src/cli/run.js';
import { createApiToken } from '../src/modules/operators/index.js';
import { findMerchantByAppId } from '../src/modules/merchants/index.js';
import { requestWithdrawal } from '../src/modules/withdrawals/index.js';
import { userAccount } from '../src/modules/ledger/index.js';
import { addUser, createMoneyWorld, fund, units, type MoneyWorld } from './money-fixtures.js';
import { startMerchantServer, type MerchantServer } from './ops-helpers.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';


eachDatabase('policies (operator API)', (kind) => {
  let t: TestService;
  let confirmServer: MerchantServer;

  async function call(method: string, path: string, body?: unknown, token = t.operatorToken): Promise<{ status: number; json: any }> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(t.operatorUrl! + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true } });
    const confirm = createWithdrawConfirmation({ walletPublicKey: t.walletPublicKeyPem, privateKey: t.merchantPrivateKeyPem, approve: () => true });
    confirmServer = await startMerchantServer(toNodeHttpHandler(confirm));
    await t.ctx.store.db.updateTable('merchants').set({ confirm_url: confirmServer.url }).where('id', '=', Number(t.merchant.id)).execute();
  });
  after(async () => {
    await confirmServer?.close();
    await t?.close();
  });

  test('one operator cannot give two approvals of a quorum of two, whichever token it uses', async () => {
    const set = await call('PUT', '/policies/approval/ETH', { above_amount: '15', approvals_required: 2 });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    assert.deepEqual({ ...set.json, updated_at: 0 }, { app_id: null, symbol: 'ETH', above_amount: '15', approvals_required: 2, company_review: true, updated_by: 'test-admin', updated_at: 0 });
    const { uid } = await t.client.registerEmail({ email: `policy-${kind}@example.test` });
    await call('POST', '/balances/credit', { uid: Number(uid), symbol: 'ETH', amount: '90', reason: 'test funds' });
    const merchant = (await findMerchantByAppId(t.ctx.store.db, t.appId))!;
    const ask = (requestId: string, amount: string) => requestWithdrawal(t.ctx, merchant, { requestId, fromUid: Number(uid), toAddress: '0x' + '1'.repeat(40), amount, symbol: 'ETH' });
    const big = await ask(`${kind}-big`, '20');
    assert.equal(big.status, WithdrawStatus.Review);

    const first = await call('POST', `/withdrawals/${big.id}/approve`, {});
    assert.equal(first.status, 200);
    assert.equal(first.json.status, WithdrawStatus.Review);
    assert.equal(first.json.approvals_given, 1);
    assert.equal(first.json.approvals_required, 2);
    assert.deepEqual(first.json.decisions.map((d: { operator_name: string; side: string }) => [d.operator_name, d.side]), [['test-admin', 'saas']]);
    const again = await call('POST', `/withdrawals/${big.id}/approve`, { by: 'saas' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error, 'already_approved');
    assert.match(again.json.message, /another reviewer/);
    // Another token of the same person is the same pair of eyes.
    const otherToken = (await createApiToken(t.ctx, { name: 'test-admin', sourceIp: 'cli' })).token;
    assert.equal((await call('POST', `/withdrawals/${big.id}/approve`, {}, otherToken)).json.error, 'already_approved');
    // The merchant's side is another side: recorded, but the platform quorum still lacks a reviewer.
    const company = await call('POST', `/withdrawals/${big.id}/approve`, { by: 'company' });
    assert.equal(company.json.company_status, 1);
    assert.equal(company.json.status, WithdrawStatus.Review);
    const review = await call('GET', '/withdrawals/review');
    assert.equal(review.json.withdrawals.find((x: { id: number }) => x.id === Number(big.id))?.approvals_given, 1);
    // A second reviewer, with an account of their own, completes the quorum.
    const reviewer = await t.operatorTokenFor(['reviewer'], `reviewer-${kind}`);
    const second = await call('POST', `/withdrawals/${big.id}/approve`, {}, reviewer);
    assert.equal(second.status, 200, JSON.stringify(second.json));
    assert.equal(second.json.status, WithdrawStatus.Paying);
    assert.deepEqual(second.json.decisions.filter((d: { side: string }) => d.side === 'saas').map((d: { operator_name: string }) => d.operator_name), ['test-admin', `reviewer-${kind}`]);
    // One approval, then a rejection by the other reviewer: it ends there.
    const other = await ask(`${kind}-big-2`, '20');
    await call('POST', `/withdrawals/${other.id}/approve`, {});
    const rejected = await call('POST', `/withdrawals/${other.id}/reject`, { reason: 'not this one' }, reviewer);
    assert.equal(rejected.json.status, WithdrawStatus.Rejected);

    // At or below the threshold the one operator is a quorum (with the merchant's side), as before.
    const small = await ask(`${kind}-small`, '12');
    await call('POST', `/withdrawals/${small.id}/approve`, { by: 'saas' });
    assert.equal((await call('POST', `/withdrawals/${small.id}/approve`, { by: 'company' })).json.status, WithdrawStatus.Paying);
    assert.equal((await call('DELETE', '/policies/approval/ETH')).status, 204);
    assert.equal((await call('DELETE', '/policies/approval/ETH')).status, 404);
  });

  test('velocity limits, destination settings and allowlists: set, list, clear; bad input refused', async () => {
    const velocity = await call('PUT', '/policies/velocity/USDT', { app_id: t.appId, scope: 'user', window_s: 3600, max_amount: '500', max_count: 3 });
    assert.equal(velocity.status, 200, JSON.stringify(velocity.json));
    assert.equal(velocity.json.app_id, t.appId);
    assert.equal(velocity.json.max_amount, '500');
    const destinations = await call('PUT', '/policies/destinations', { app_id: t.appId, allowlist_enabled: true, new_address_cooldown_s: 600 });
    assert.deepEqual([destinations.status, destinations.json.allowlist_enabled, destinations.json.new_address_cooldown_s], [200, true, 600]);
    const listed = await call('GET', '/policies');
    assert.equal(listed.json.velocity.length, 1);
    assert.equal(listed.json.destinations[0].app_id, t.appId);

    const address = '0x' + 'Ef'.repeat(20);
    const added = await call('POST', `/merchants/${t.appId}/allowlist`, { symbol: 'ETH', address, label: 'treasury' });
    assert.equal(added.status, 201);
    assert.equal(added.json.address, address.toLowerCase());
    assert.deepEqual((await call('GET', `/merchants/${t.appId}/allowlist`)).json.destinations.map((d: { address: string }) => d.address), [address.toLowerCase()]);
    assert.equal((await call('DELETE', `/merchants/${t.appId}/allowlist?symbol=ETH&address=${address.toUpperCase().replace('0X', '0x')}`)).status, 204);

    assert.equal((await call('PUT', '/policies/velocity/USDT', { scope: 'user', window_s: 3600 })).status, 400);
    assert.equal((await call('PUT', '/policies/velocity/USDT', { scope: 'team', window_s: 3600, max_count: 1 })).status, 400);
    assert.equal((await call('PUT', '/policies/approval/ETH', { above_amount: '1', approvals_required: 0 })).status, 400);
    assert.equal((await call('PUT', '/policies/approval/ETH', { app_id: 'nobody', above_amount: '1', approvals_required: 2 })).status, 404);
    assert.equal((await call('POST', `/merchants/${t.appId}/allowlist`, { symbol: 'ETH', address: 'nope' })).status, 400);

    assert.equal((await call('DELETE', `/policies/velocity/USDT?app_id=${t.appId}&scope=user&window_s=3600`)).status, 204);
    assert.equal((await call('DELETE', `/policies/destinations?app_id=${t.appId}`)).status, 204);
    assert.deepEqual((await call('GET', '/policies')).json, { approval: [], velocity: [], destinations: [] });
  });
});

eachDatabase('openwaas policy (CLI)', (kind) => {
  let world: MoneyWorld;

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = { stdout: '', stderr: '' };
    const sink = (key: keyof typeof out) => new Writable({ write(chunk: Buffer, _e, done) { out[key] += chunk.toString('utf8'); done(); } });
    const code = await runCli(args, { stdout: sink('stdout'), stderr: sink('stderr'), env: { DATABASE_URL: world.db.url, OPENWAAS_INSECURE_DEV_KEYS: '1', LOG_LEVEL: 'silent' }, cwd: process.cwd() });
    return { code, ...out };
  }
  const json = (r: { code: number; stdout: string; stderr: string }) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  before(async () => {
    world = await createMoneyWorld(kind);
  });
  after(() => world?.close());

  test('policy commands set, list and clear; a withdrawal above the threshold shows its quorum in withdrawal list', async () => {
    const appId = world.merchant.app_id;
    assert.equal(json(await cli('policy', 'approval', 'set', 'ETH', '--above', '6', '--approvals', '2', '--no-company-review', '--json')).approvals_required, 2);
    assert.equal(json(await cli('policy', 'velocity', 'set', 'USDT', '--scope', 'merchant', '--window', '86400', '--max-count', '100', '--app-id', appId, '--json')).scope, 'merchant');
    assert.equal(json(await cli('policy', 'destinations', 'set', '--cooldown', '0', '--no-allowlist', '--json')).new_address_cooldown_s, 0);
    const entry = json(await cli('policy', 'allowlist', 'add', appId, 'ETH', '0x' + 'AA'.repeat(20), '--label', 'cold', '--json'));
    assert.equal(entry.address, '0x' + 'aa'.repeat(20));
    const all = json(await cli('policy', 'list', '--json'));
    assert.deepEqual([all.approval.length, all.velocity.length, all.destinations.length], [1, 1, 1]);
    const text = await cli('policy', 'list');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Approval policies[\s\S]*ETH\s+6\s+2/);

    const uid = await addUser(world, world.merchant, 'policy-cli@example.com');
    await fund(world, userAccount(Number(world.merchant.id), uid, world.eth.id), units('10', 18));
    const r = await requestWithdrawal(world.ctx, world.merchant, { requestId: `cli-${kind}`, fromUid: uid, toAddress: '0x' + '1'.repeat(40), amount: '7', symbol: 'ETH' });
    assert.equal(r.status, WithdrawStatus.Review);
    const list = await cli('withdrawal', 'list');
    assert.match(list.stdout, new RegExp(`\\b${r.id}\\b.*\\b0/2\\b`));
    assert.equal(json(await cli('withdrawal', 'approve', String(r.id), '--json')).approvals_given, 1);
    const twice = await cli('withdrawal', 'approve', String(r.id));
    assert.notEqual(twice.code, 0);
    assert.match(twice.stderr, /already approved/);
    assert.equal(json(await cli('withdrawal', 'reject', String(r.id), '--reason', 'cli test', '--json')).status, WithdrawStatus.Rejected);
    // With nothing in review, the empty list says what it lists.
    assert.match((await cli('withdrawal', 'list')).stdout, /none waiting for review: this lists only withdrawals in review/);

    assert.equal((await cli('policy', 'velocity', 'set', 'USDT', '--scope', 'team', '--window', '60')).code, 2);
    assert.equal((await cli('policy', 'approval', 'clear', 'ETH')).code, 0);
    assert.notEqual((await cli('policy', 'approval', 'clear', 'ETH')).code, 0);
    assert.equal((await cli('policy', 'allowlist', 'remove', appId, 'ETH', '0x' + 'aa'.repeat(20))).code, 0);
    assert.equal((await cli('policy', 'destinations', 'clear')).code, 0);
    assert.equal((await cli('policy', 'velocity', 'clear', 'USDT', '--scope', 'merchant', '--window', '86400', '--app-id', appId)).code, 0);
  });
});
