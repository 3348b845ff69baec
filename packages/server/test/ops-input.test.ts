/**
 * Operator API input that no database stores as given (NUL, lone surrogates) is refused with
 * 400 `invalid` before it reaches the database — PostgreSQL answered it with a 500 — on SQLite
 * and PostgreSQL. Operators' free text may otherwise hold any printable text and line breaks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eachDatabase, startTestService, type TestService } from './support/service.js';


eachDatabase('operator API input never reaches the database unstorable', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true } });
  });
  after(() => t?.close());

  const operator = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.operatorUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.operatorToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as { error?: string; message?: string } };
  };
  const counts = async () => {
    const n = async (table: 'blacklist' | 'merchants') => Number((await t.ctx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);
    return { blacklist: await n('blacklist'), merchants: await n('merchants') };
  };

  test('NUL or a lone surrogate in a body, a path or a query → 400 invalid, nothing written', async () => {
    const before = await counts();
    for (const [method, path, body, field] of [
      ['POST', '/blacklist', { address: '0xab\u0000cd', reason: 'r' }, /body\.address/],
      ['POST', '/blacklist', { address: '0xabcd', reason: 'bad\ud800' }, /body\.reason/],
      ['POST', '/merchants', { name: 'Shop\u0000' }, /body\.name/],
      ['GET', '/merchants/ab%00cd', undefined, /params\.appId/],
      ['GET', '/notifications?app_id=a%00b', undefined, /query\.app_id/],
    ] as const) {
      const r = await operator(method, path, body);
      assert.equal(r.status, 400, `${method} ${path}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error, 'invalid');
      assert.match(r.json.message ?? '', field);
    }
    assert.deepEqual(await counts(), before);
    // Line breaks in free text are an operator's to write.
    const ok = await operator('POST', '/blacklist', { address: '0x' + 'ab'.repeat(20), reason: 'reported twice\nsee ticket 7' });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
  });
});
