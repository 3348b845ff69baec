/**
 * The operator API on its own listener: not on the merchant port, the retired shared token
 * refused in the settings, 429 with an exponential back-off per address after repeated failures, and trusted
 * proxies (X-Forwarded-For believed only from them) for the back-off and merchant IP allowlists.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, WaasClient, WaasError } from '@openwaas/sdk';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { AuthThrottle } from '../src/operator/auth-throttle.js';
import { operatorAuthFreeFailuresMax } from '../src/limits.js';
import { TestClock } from './money-fixtures.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

const token = 'owa_not-a-service-setting-0123456789abcdef';

async function get(url: string, auth: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers: { ...headers, ...(auth !== null ? { authorization: `Bearer ${auth}` } : {}) } });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: text ? (JSON.parse(text) as { error?: string; message?: string }) : undefined };
}

describe('operator API settings', () => {
  it('refuses the retired shared token, naming what to do instead; OPENWAAS_OPERATOR_TOKEN is no service setting', () => {
    for (const settings of [{ operatorToken: 'x'.repeat(40) }, { operatorTokenHash: 'ab'.repeat(32) }]) {
      assert.throws(
        () => loadConfig(settings as never, {}),
        (e: unknown) => e instanceof ConfigError && /shared operator token is retired; set operatorApi \(OPENWAAS_OPERATOR_API=1\) and create operator accounts with 'openwaas operator add'/.test(e.message),
      );
    }
    assert.throws(() => loadConfig({}, { OPENWAAS_OPERATOR_TOKEN_HASH: 'ab'.repeat(32) }), ConfigError);
    // The CLI's own token variable leaves the service's configuration alone.
    const config = loadConfig({}, { OPENWAAS_OPERATOR_TOKEN: token });
    assert.ok(!JSON.stringify(config).includes(token));
    assert.equal(config.operatorApi, false);
    assert.equal(loadConfig({}, { OPENWAAS_OPERATOR_API: '1' }).operatorApi, true);
    assert.throws(() => loadConfig({}, { OPENWAAS_OPERATOR_API: 'maybe' }), ConfigError);
  });

  it('listens on loopback port 8090 by default, apart from the merchant port', () => {
    const config = loadConfig({}, {});
    assert.equal(config.operatorHost, '127.0.0.1');
    assert.equal(config.operatorPort, 8090);
    assert.notEqual(config.operatorPort, config.port);
  });

  it('reads the listener and proxy settings from the environment', () => {
    const config = loadConfig({}, { OPENWAAS_OPERATOR_HOST: '0.0.0.0', OPENWAAS_OPERATOR_PORT: '9999', OPENWAAS_TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,fd00::/8' });
    assert.equal(config.operatorHost, '0.0.0.0');
    assert.equal(config.operatorPort, 9999);
    assert.deepEqual(config.trustedProxies, ['10.0.0.1', '192.168.0.0/16', 'fd00::/8']);
    assert.throws(() => loadConfig({}, { OPENWAAS_TRUSTED_PROXIES: '10.0.0.1/33' }), ConfigError);
    assert.throws(() => loadConfig({}, { OPENWAAS_TRUSTED_PROXIES: 'proxy.example' }), ConfigError);
    assert.throws(
      () => loadConfig({ port: 9000 }, { OPENWAAS_OPERATOR_PORT: '9000' }),
      (e: unknown) => e instanceof ConfigError && /operatorPort \(OPENWAAS_OPERATOR_PORT\) 9000 is the merchant API's port/.test(e.message),
    );
  });
});

describe('auth back-off memory', () => {
  it('remembers a bounded number of addresses, forgetting the least recently failed', () => {
    const clock = new TestClock(0);
    const throttle = new AuthThrottle({ clock, trackedAddressesMax: 3, freeFailuresMax: 0 });
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']) throttle.failed(ip);
    assert.equal(throttle.trackedAddresses, 3);
    assert.equal(throttle.waitMs('10.0.0.1'), 0);
    assert.ok(throttle.waitMs('10.0.0.5') > 0);
    throttle.succeeded('10.0.0.5');
    assert.equal(throttle.trackedAddresses, 2);
  });
});

eachDatabase('operator listener', (kind) => {
  let t: TestService;
  const clock = new TestClock(Date.now());

  before(async () => {
    t = await startTestService({ kind, clock, config: { operatorApi: true, trustedProxies: ['127.0.0.1'] } });
    token = t.operatorToken;
  });
  after(() => t?.close());
  let token: string;

  it('serves the operator API on its own port only', async () => {
    assert.ok(t.operatorUrl);
    assert.notEqual(new URL(t.operatorUrl).port, new URL(t.baseUrl).port);
    assert.equal((await get(`${t.baseUrl}/operator/v1/merchants`, token)).status, 404);
    assert.equal((await get(`${t.operatorUrl}/merchants`, token)).status, 200);
  });

  it('answers 429 with Retry-After after repeated failures from one address, doubling the back-off; a correct token waits it out too', async () => {
    const guesser = { 'x-forwarded-for': '198.51.100.7' };
    for (let i = 0; i < operatorAuthFreeFailuresMax; i++) {
      const r = await get(`${t.operatorUrl}/merchants`, `wrong-${i}`, guesser);
      assert.equal(r.status, 401, `failure ${i + 1} is free`);
    }
    const first = await get(`${t.operatorUrl}/merchants`, 'wrong-again', guesser);
    assert.equal(first.status, 429);
    assert.equal(first.json?.error, 'too_many_attempts');
    assert.equal(first.retryAfter, '1');
    // During the back-off the right token is not looked at.
    assert.equal((await get(`${t.operatorUrl}/merchants`, token, guesser)).status, 429);
    // Another address is not affected.
    assert.equal((await get(`${t.operatorUrl}/merchants`, token, { 'x-forwarded-for': '198.51.100.8' })).status, 200);

    clock.ms += 1_000;
    const second = await get(`${t.operatorUrl}/merchants`, 'wrong-after-wait', guesser);
    assert.equal(second.status, 429);
    assert.equal(second.retryAfter, '2');
    clock.ms += 2_000;
    const third = await get(`${t.operatorUrl}/merchants`, 'wrong-once-more', guesser);
    assert.equal(third.retryAfter, '4');

    clock.ms += 4_000;
    assert.equal((await get(`${t.operatorUrl}/merchants`, token, guesser)).status, 200);
    // A success starts the address afresh.
    assert.equal((await get(`${t.operatorUrl}/merchants`, 'wrong-after-success', guesser)).status, 401);
  });

  it('applies a merchant IP allowlist to the client address from X-Forwarded-For when the proxy is trusted', async () => {
    const m = await t.addMerchant({ ipAllowlist: ['203.0.113.7'] });
    const via = (forwarded: string) =>
      new WaasClient({
        baseUrl: t.baseUrl,
        appId: m.appId,
        privateKey: m.merchantPrivateKeyPem,
        walletPublicKey: m.walletPublicKeyPem,
        fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': forwarded } }),
      });
    // The rightmost untrusted hop is the client: a spoofed left entry changes nothing.
    assert.ok((await via('203.0.113.7').getCoinList()).length > 0);
    assert.ok((await via('192.0.2.1, 203.0.113.7').getCoinList()).length > 0);
    await assert.rejects(via('203.0.113.7, 192.0.2.1').getCoinList(), (e: unknown) => e instanceof WaasError && e.is(ErrorCode.IllegalIp));
  });
});

eachDatabase('no trusted proxies', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true } });
  });
  after(() => t?.close());

  it('ignores X-Forwarded-For for merchant IP allowlists', async () => {
    const m = await t.addMerchant({ ipAllowlist: ['203.0.113.7'] });
    const client = new WaasClient({
      baseUrl: t.baseUrl,
      appId: m.appId,
      privateKey: m.merchantPrivateKeyPem,
      walletPublicKey: m.walletPublicKeyPem,
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': '203.0.113.7' } }),
    });
    await assert.rejects(client.getCoinList(), (e: unknown) => e instanceof WaasError && e.is(ErrorCode.IllegalIp));
  });

  it('ignores X-Forwarded-For for the operator back-off: failures count for the connecting address', async () => {
    for (let i = 0; i < operatorAuthFreeFailuresMax; i++) {
      assert.equal((await get(`${t.operatorUrl}/merchants`, 'wrong', { 'x-forwarded-for': `198.51.100.${i}` })).status, 401);
    }
    assert.equal((await get(`${t.operatorUrl}/merchants`, 'wrong', { 'x-forwarded-for': '198.51.100.99' })).status, 429);
  });
});
