import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, it } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import { createMerchant } from '../src/modules/merchants/index.js';
import { addOperator, createApiToken } from '../src/modules/operators/index.js';
import { createLogger, createService } from '../src/service.js';
import { freshDatabase, type TestDatabase } from './support/databases.js';
import { eachDatabase } from './support/service.js';

eachDatabase('service lifecycle', (kind) => {
  const databases: TestDatabase[] = [];
  after(async () => {
    for (const d of databases) await d.drop();
  });

  it('listens on an ephemeral port, runs the notifier when asked, closes idempotently, and keeps data across restarts', async () => {
    const database = await freshDatabase(kind);
    databases.push(database);
    const config = loadConfig({ databaseUrl: database.url, port: 0, logLevel: 'silent', workers: true, rsaWorkers: 1, operatorPort: 0, operatorApi: true, insecureDevKeys: true }, {});
    const first = await createService(config);
    const baseUrl = await first.listen();
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${baseUrl}/api/v2/user/getCoinList`)).status, 200, 'a plain coded answer (100015) travels with HTTP 200');
    // The operator API has its own listener; the merchant port does not serve it.
    assert.equal((await fetch(`${baseUrl}/operator/v1/merchants`)).status, 404);
    const operatorUrl = first.operatorUrl!;
    assert.match(operatorUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(operatorUrl, baseUrl);
    assert.equal((await fetch(`${operatorUrl}/operator/v1/merchants`)).status, 401);
    await addOperator(first.ctx, { name: 'lifecycle', roles: ['viewer'] });
    const { token } = await createApiToken(first.ctx, { name: 'lifecycle', sourceIp: 'cli' });
    const listed = await fetch(`${operatorUrl}/operator/v1/merchants`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(listed.status, 200);
    await createMerchant(first.ctx.store.db, first.ctx.secrets, { name: 'kept', appId: 'kept-app', nowMs: Date.now() });
    first.ctx.notifier.wake();
    await Promise.all([first.close(), first.close()]);
    await first.close();

    const second = await createService(config);
    try {
      const row = await second.ctx.store.db.selectFrom('merchants').select('name').where('app_id', '=', 'kept-app').executeTakeFirst();
      assert.equal(row?.name, 'kept');
    } finally {
      await second.close();
    }
  });
});

it('the service logger redacts secrets', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ logLevel: 'info' }, sink);
  log.info({ merchant: { wallet_private_key: 'SECRET-PEM' }, config: { hdMnemonic: 'seed words', operatorToken: 'tok-123' }, req: { headers: { authorization: 'Bearer tok-456' } } }, 'x');
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines.join(''), /SECRET-PEM|seed words|tok-123|tok-456/);
  assert.match(lines.join(''), /\[redacted\]/);
});
