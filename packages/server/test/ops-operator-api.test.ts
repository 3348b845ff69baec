import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createWithdrawConfirmation, toNodeHttpHandler, WithdrawStatus } from '@openwaas/sdk';
import { operatorBasePath, operatorRoutes } from '../src/operator/routes.js';
import { requestWithdrawal } from '../src/modules/withdrawals/index.js';
import { findMerchantByAppId } from '../src/modules/merchants/index.js';
import { enqueueDeposits, startMerchantServer, type MerchantServer } from './ops-helpers.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';
import type { ServiceContext } from '../src/context.js';


interface Reply {
  status: number;
  json: any;
}

/** The operator plugin on its own Fastify instance over the test service's context. */
async function mountOperator(ctx: ServiceContext): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  await app.register(operatorRoutes, { prefix: operatorBasePath, ctx });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}${operatorBasePath}` };
}

eachDatabase('operator API', (kind) => {
  let t: TestService;
  let op: { url: string };
  let confirmServer: MerchantServer;

  async function call(method: string, path: string, body?: unknown, auth: string | null = t.operatorToken): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (auth !== null) headers.authorization = `Bearer ${auth}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(op.url + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true } });
    op = { url: t.operatorUrl! };
    const confirm = createWithdrawConfirmation({ walletPublicKey: t.walletPublicKeyPem, privateKey: t.merchantPrivateKeyPem, approve: () => true });
    confirmServer = await startMerchantServer(toNodeHttpHandler(confirm));
    await t.ctx.store.db.updateTable('merchants').set({ confirm_url: confirmServer.url }).where('id', '=', Number(t.merchant.id)).execute();
  });
  after(async () => {
    await confirmServer?.close();
    await t?.close();
  });

  test('refuses requests without a bearer token; is off unless operatorApi is set', async () => {
    assert.equal((await call('GET', '/merchants', undefined, null)).status, 401);
    const wrong = await call('GET', '/merchants', undefined, 'nope');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, 'unauthorized');
    const off = await mountOperator({ ...t.ctx, config: { ...t.ctx.config, operatorApi: false } });
    try {
      const res = await fetch(`${off.url}/merchants`, { headers: { authorization: 'Bearer ' } });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: string }).error, 'disabled');
    } finally {
      await off.app.close();
    }
  });

  test('merchants: create shows app_id and rsa_wallet_pub; get, list, update; bad input is 400', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const created = await call('POST', '/merchants', {
      name: 'Shop',
      merchant_public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      notify_url: 'https://shop.test/notify',
      ip_allowlist: ['10.0.0.0/8'],
      user_limit: 10,
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.match(created.json.app_id, /^[0-9a-f]{32}$/);
    assert.match(created.json.rsa_wallet_pub, /BEGIN PUBLIC KEY/);
    assert.equal(created.json.wallet_private_key, undefined);
    const appId = created.json.app_id as string;

    const patched = await call('PATCH', `/merchants/${appId}`, { confirm_url: 'https://shop.test/confirm', auto_collect: true, active: false, ip_allowlist: [] });
    assert.equal(patched.status, 200);
    assert.equal(patched.json.confirm_url, 'https://shop.test/confirm');
    assert.equal(patched.json.auto_collect, true);
    assert.equal(patched.json.active, false);
    assert.deepEqual(patched.json.ip_allowlist, []);

    assert.equal((await call('GET', `/merchants/${appId}`)).json.name, 'Shop');
    assert.ok((await call('GET', '/merchants')).json.merchants.some((m: { app_id: string }) => m.app_id === appId));
    assert.equal((await call('GET', '/merchants/unknown')).status, 404);

    const badUrl = await call('PATCH', `/merchants/${appId}`, { notify_url: 'ftp://x' });
    assert.equal(badUrl.status, 400);
    assert.equal(badUrl.json.error, 'invalid');
    assert.equal((await call('PATCH', `/merchants/${appId}`, { ip_allowlist: ['10.0.0.0/99'] })).status, 400);
    assert.equal((await call('PATCH', `/merchants/${appId}`, { merchant_public_key: 'not a key' })).status, 400);
    assert.equal((await call('POST', '/merchants', { name: '' })).status, 400);
    assert.equal((await call('POST', '/merchants', { name: 'x', unknown_field: 1 })).status, 400);
  });

  test('coins: upsert with every field, patch, list; enable and disable per merchant', async () => {
    const coin = await call('PUT', '/coins/DAI', {
      name: 'Dai', chain: 'evm:31337', base_symbol: 'ETH', contract_address: '0x6b175474e89094c44da98b954eedeac495271d0f', decimals: 18,
      confirmations: 3, min_withdraw: '1', max_withdraw: '5000', withdraw_fee: '0.0005', withdraw_fee_symbol: 'ETH',
      auto_approve_max: '100', daily_limit: '1000', min_deposit: '0.5', icon: 'https://x.test/dai.png', explorer: 'https://e.test/{txid}',
    });
    assert.equal(coin.status, 200, JSON.stringify(coin.json));
    assert.equal(coin.json.withdraw_fee, '0.0005');
    assert.equal(coin.json.withdraw_fee_symbol, 'ETH');
    assert.equal(coin.json.daily_limit, '1000');
    const patched = await call('PATCH', '/coins/DAI', { daily_limit: '2500.5', confirmations: 6 });
    assert.equal(patched.json.daily_limit, '2500.5');
    assert.equal(patched.json.confirmations, 6);
    assert.equal(patched.json.max_withdraw, '5000', 'a patch keeps the other settings');
    assert.equal((await call('PUT', '/coins/BAD', { chain: 'evm:1', decimals: 6, withdraw_fee_symbol: 'NOPE' })).status, 404);
    assert.equal((await call('PUT', '/coins/BAD', { chain: 'evm:1', decimals: 6, min_withdraw: '0.0000001' })).status, 400);
    assert.ok((await call('GET', '/coins')).json.coins.some((c: { symbol: string }) => c.symbol === 'DAI'));

    const enabled = await call('PUT', `/merchants/${t.appId}/coins/DAI`);
    assert.ok(enabled.json.coins.includes('DAI'));
    assert.deepEqual(
      (await t.client.getCoinList()).map((c) => c.symbol).includes('DAI'),
      true,
    );
    const disabled = await call('DELETE', `/merchants/${t.appId}/coins/DAI`);
    assert.ok(!disabled.json.coins.includes('DAI'));
    assert.equal((await call('PUT', `/merchants/${t.appId}/coins/NOPE`)).status, 404);
  });

  test('users: freeze, unfreeze and the at-risk flag', async () => {
    const { uid } = await t.client.registerEmail({ email: `op-${kind}@example.test` });
    const frozen = await call('POST', `/users/${uid}/freeze`);
    assert.equal(frozen.status, 200);
    assert.equal(frozen.json.frozen, true);
    const flagged = await call('PATCH', `/users/${uid}`, { at_risk: true });
    assert.equal(flagged.json.at_risk, true);
    assert.equal(flagged.json.frozen, true);
    const row = await t.ctx.store.db.selectFrom('users').select(['frozen', 'at_risk']).where('id', '=', Number(uid)).executeTakeFirstOrThrow();
    assert.deepEqual(row, { frozen: 1, at_risk: 1 });
    const unfrozen = await call('POST', `/users/${uid}/unfreeze`);
    assert.equal(unfrozen.json.frozen, false);
    await call('PATCH', `/users/${uid}`, { at_risk: false });
    assert.equal((await call('POST', '/users/999999/freeze')).status, 404);
  });

  test('balance adjustments are journaled against the external account; audit stays clean', async () => {
    const { uid } = await t.client.registerEmail({ email: `adj-${kind}@example.test` });
    const credit = await call('POST', '/balances/credit', { uid: Number(uid), symbol: 'ETH', amount: '5.25', reason: 'goodwill' });
    assert.equal(credit.status, 200, JSON.stringify(credit.json));
    assert.deepEqual(credit.json.balance, { normal: '5.25', lock: '0' });
    const debit = await call('POST', '/balances/debit', { uid: Number(uid), symbol: 'ETH', amount: '1.25', reason: 'correction' });
    assert.deepEqual(debit.json.balance, { normal: '4', lock: '0' });
    const over = await call('POST', '/balances/debit', { uid: Number(uid), symbol: 'ETH', amount: '4.000000000000000001', reason: 'too much' });
    assert.equal(over.status, 409);
    assert.equal(over.json.error, 'insufficient_balance');
    assert.equal((await call('POST', '/balances/credit', { uid: Number(uid), symbol: 'ETH', amount: '1', reason: '  ' })).status, 400);
    assert.equal((await call('POST', '/balances/credit', { uid: Number(uid), symbol: 'USDT', amount: '1.0000001', reason: 'x' })).status, 400);
    assert.equal((await call('POST', '/balances/credit', { symbol: 'ETH', amount: '1', reason: 'x' })).status, 400);
    const collection = await call('POST', '/balances/credit', { app_id: t.appId, symbol: 'USDT', amount: '100', reason: 'float' });
    assert.equal(collection.json.account, 'collection');
    assert.equal((await t.client.getCompanyBySymbol({ symbol: 'USDT' })).balance, '100');
    assert.equal((await t.client.getByUidAndSymbol({ uid, symbol: 'ETH' })).normal_balance, '4');

    const journals = await t.ctx.store.db.selectFrom('journals').selectAll().where('ref_type', '=', 'adjustment').where('reason', 'like', 'adjustment.%').execute();
    assert.equal(journals.length, 3);
    assert.ok(journals.some((j) => j.memo.includes('goodwill')));
    const adjustments = await call('GET', '/adjustments');
    assert.equal(adjustments.json.adjustments.length, 3);

    const audit = await call('GET', '/audit');
    assert.equal(audit.status, 200);
    assert.equal(audit.json.ok, true);
    assert.deepEqual(audit.json.findings, []);
  });

  test('withdrawals under review: list, approve as saas and company, reject, cancel', async () => {
    const { uid } = await t.client.registerEmail({ email: `wd-${kind}@example.test` });
    await call('POST', '/balances/credit', { uid: Number(uid), symbol: 'ETH', amount: '90', reason: 'test funds' });
    const merchant = (await findMerchantByAppId(t.ctx.store.db, t.appId))!; // with its confirm_url
    const ask = (requestId: string) =>
      requestWithdrawal(t.ctx, merchant, { requestId, fromUid: Number(uid), toAddress: '0x' + '1'.repeat(40), amount: '20', symbol: 'ETH' });
    const [a, b, c] = [await ask(`${kind}-a`), await ask(`${kind}-b`), await ask(`${kind}-c`)];
    assert.equal(a.status, WithdrawStatus.Review);

    const review = await call('GET', '/withdrawals/review');
    assert.deepEqual(review.json.withdrawals.map((w: { id: number }) => w.id), [a.id, b.id, c.id].map(Number));

    const half = await call('POST', `/withdrawals/${a.id}/approve`, { by: 'saas' });
    assert.equal(half.json.saas_status, 1);
    assert.equal(half.json.status, WithdrawStatus.Review);
    const full = await call('POST', `/withdrawals/${a.id}/approve`, { by: 'company' });
    assert.equal(full.json.status, WithdrawStatus.Paying);
    const rejected = await call('POST', `/withdrawals/${b.id}/reject`, { by: 'saas', reason: 'suspicious' });
    assert.equal(rejected.json.status, WithdrawStatus.Rejected);
    assert.match(rejected.json.review_reason, /suspicious/);
    const cancelled = await call('POST', `/withdrawals/${c.id}/cancel`);
    assert.equal(cancelled.json.status, WithdrawStatus.Cancelled);
    assert.equal((await call('POST', `/withdrawals/${b.id}/approve`, { by: 'saas' })).status, 409);
    assert.equal((await call('POST', '/withdrawals/999999/cancel')).status, 404);
    assert.equal((await call('POST', `/withdrawals/${a.id}/approve`, { by: 'nobody' })).status, 400);

    // 90 credited, 20 paying out (locked), 40 back after reject and cancel.
    const balance = await t.client.getByUidAndSymbol({ uid, symbol: 'ETH' });
    assert.equal(balance.normal_balance, '70');
    assert.equal(balance.lock_balance, '20');
    assert.equal((await call('GET', '/audit')).json.ok, true);
  });

  test('blacklist: addresses are lower-cased; add, list, remove', async () => {
    const address = '0xAbCdEf' + '0'.repeat(34);
    const added = await call('POST', '/blacklist', { address, reason: 'phishing' });
    assert.equal(added.status, 201);
    assert.equal(added.json.address, address.toLowerCase());
    assert.ok((await call('GET', '/blacklist')).json.addresses.some((a: { address: string }) => a.address === address.toLowerCase()));
    assert.equal((await call('DELETE', `/blacklist/${address.toUpperCase().replace('0X', '0x')}`)).status, 204);
    assert.equal((await call('DELETE', `/blacklist/${address}`)).status, 404);
  });

  test('notifications: list by state, resend one, resend all failed', async () => {
    const ids = await enqueueDeposits(t.ctx, Number(t.merchant.id), 3, 77_000);
    await t.ctx.store.db.updateTable('notifications').set({ state: 'failed', attempts: 6, last_error: 'HTTP 500' }).where('id', 'in', ids).execute();
    const failed = await call('GET', `/notifications?state=failed&app_id=${t.appId}`);
    assert.equal(failed.status, 200);
    assert.deepEqual(failed.json.notifications.map((n: { id: number }) => n.id), ids);
    assert.equal(failed.json.counts.failed, 3);
    assert.equal(failed.json.notifications[0].last_error, 'HTTP 500');

    const one = await call('POST', `/notifications/${ids[0]}/resend`);
    assert.equal(one.json.state, 'pending');
    assert.equal(one.json.attempts, 0);
    const all = await call('POST', '/notifications/resend-failed', { app_id: t.appId });
    assert.deepEqual(all.json, { count: 2 });
    assert.equal((await call('GET', '/notifications?state=failed')).json.notifications.length, 0);
    assert.equal((await call('POST', '/notifications/999999/resend')).status, 404);
    assert.equal((await call('GET', '/notifications?state=bogus')).status, 400);
  });

  test('audit reports a corrupted balance with 200 and the finding', async () => {
    const row = await t.ctx.store.db.selectFrom('accounts').select(['id', 'normal']).where('kind', '=', 'user').executeTakeFirstOrThrow();
    await t.ctx.store.db.updateTable('accounts').set({ normal: (BigInt(row.normal) + 1n).toString() }).where('id', '=', row.id).execute();
    try {
      const audit = await call('GET', '/audit');
      assert.equal(audit.status, 200);
      assert.equal(audit.json.ok, false);
      assert.equal(audit.json.findings[0].kind, 'balance-mismatch');
    } finally {
      await t.ctx.store.db.updateTable('accounts').set({ normal: row.normal }).where('id', '=', row.id).execute();
    }
  });
});
