/** The HTTP screening provider against a real screening service on 127.0.0.1. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { kytConfigSchema } from '../src/config/kyt-config.js';
import { createKytProvider } from '../src/modules/kyt/index.js';
import { HttpKytProvider } from '../src/modules/kyt/index.js';
import type { KytSubject } from '../src/modules/kyt/index.js';

/** How the screening service answers the next request. */
type Answer = { status?: number; body?: string; delayMs?: number; redirect?: string };

interface Received {
  authorization: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

const subject: KytSubject = {
  side: 'deposit',
  recordId: 42,
  merchantId: 3,
  uid: 7,
  chain: 'evm:31337',
  symbol: 'USDT',
  contractAddress: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  amount: 1_500_000n,
  decimals: 6,
  address: '0x' + 'a'.repeat(40),
  ownAddress: '0x' + 'b'.repeat(40),
  txid: '0x' + 'c'.repeat(64),
};

describe('kyt http provider', () => {
  let server: Server;
  let url: string;
  let answer: Answer;
  const received: Received[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        const reply = () => {
          if (answer.redirect) {
            res.writeHead(307, { location: answer.redirect });
            return res.end();
          }
          res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
          res.end(answer.body ?? '');
        };
        if (answer.delayMs) setTimeout(reply, answer.delayMs).unref();
        else reply();
      });
    });
    server.keepAliveTimeout = 1;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/screen`;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  beforeEach(() => {
    received.length = 0;
    answer = { body: '{"result":"pass"}' };
  });

  const provider = (options: { token?: string; timeoutMs?: number } = {}) => new HttpKytProvider({ url, timeoutMs: options.timeoutMs ?? 30_000, token: options.token });

  test('POSTs the record as JSON with the bearer token; "pass" passes', async () => {
    assert.deepEqual(await provider({ token: 'tok-123' }).screen(subject), { outcome: 'pass' });
    assert.equal(received.length, 1);
    assert.equal(received[0]!.authorization, 'Bearer tok-123');
    assert.equal(received[0]!.contentType, 'application/json');
    assert.deepEqual(received[0]!.body, {
      side: 'deposit', chain: 'evm:31337', symbol: 'USDT', contract_address: subject.contractAddress, amount: '1.5',
      address: subject.address, own_address: subject.ownAddress, txid: subject.txid, merchant_id: 3, uid: 7, record_id: 42,
    });
    await provider().screen(subject);
    assert.equal(received[1]!.authorization, undefined, 'no token configured: no Authorization header');
  });

  test('"review" and "pending" carry the provider reason (or a default)', async () => {
    answer = { body: JSON.stringify({ result: 'review', reason: 'sanctioned\n cluster' }) };
    assert.deepEqual(await provider().screen(subject), { outcome: 'review', reason: 'sanctioned cluster' });
    answer = { body: JSON.stringify({ result: 'review' }) };
    assert.deepEqual(await provider().screen(subject), { outcome: 'review', reason: 'screening service asks for a manual review' });
    answer = { body: JSON.stringify({ result: 'pending', reason: 'queued' }) };
    assert.deepEqual(await provider().screen(subject), { outcome: 'pending', reason: 'queued' });
  });

  test('timeout, non-2xx, redirects and garbage are "pending" (unavailable), never "pass"', async () => {
    const cases: Array<[Answer, RegExp]> = [
      [{ delayMs: 1_000, body: '{"result":"pass"}' }, /no answer within 100 ms/],
      [{ status: 500, body: '{"result":"pass"}' }, /answered HTTP 500/],
      [{ status: 404, body: '' }, /answered HTTP 404/],
      [{ redirect: 'http://127.0.0.1:1/elsewhere' }, /request failed/],
      [{ body: 'pass' }, /not JSON/],
      [{ body: '' }, /not JSON/],
      [{ body: '["pass"]' }, /not a JSON object/],
      [{ body: '{"result":"PASS"}' }, /unexpected result "PASS"/],
      [{ body: '{"result":true}' }, /unexpected result true/],
      [{ body: JSON.stringify({ result: 'pass', pad: 'x'.repeat(70_000) }) }, /longer than/],
    ];
    for (const [a, reason] of cases) {
      answer = a;
      // Only the held answer meets the short timeout; every other answer gets all the time a loaded machine needs.
      const verdict = await provider({ timeoutMs: a.delayMs !== undefined ? 100 : 60_000 }).screen(subject);
      assert.equal(verdict.outcome, 'pending', JSON.stringify(a).slice(0, 80));
      assert.match((verdict as { reason: string }).reason, reason);
      assert.equal((verdict as { unavailable?: boolean }).unavailable, true);
    }
  });

  test('an unreachable service is "pending"; the token is not in the reason', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const verdict = await new HttpKytProvider({ url: `http://127.0.0.1:${port}/screen`, timeoutMs: 1_000, token: 'tok-secret' }).screen(subject);
    assert.equal(verdict.outcome, 'pending');
    assert.match((verdict as { reason: string }).reason, /request failed/);
    assert.doesNotMatch((verdict as { reason: string }).reason, /tok-secret/);
  });

  test('an aborted screening (shutdown) is "pending"', async () => {
    answer = { delayMs: 1_000, body: '{"result":"pass"}' };
    const abort = new AbortController();
    const pending = provider().screen(subject, abort.signal);
    setTimeout(() => abort.abort(), 20).unref();
    assert.equal((await pending).outcome, 'pending');
  });

  test('provider http: the built-in rules run first and a rule hit never reaches the service', async () => {
    const config = kytConfigSchema.parse({ provider: 'http', url, token: 't', denyAddresses: [subject.address], reviewAbove: { USDT: '100' } });
    const chained = createKytProvider(config)!;
    assert.equal(chained.name, 'builtin+http');
    assert.equal((await chained.screen(subject)).outcome, 'review');
    assert.equal((await chained.screen({ ...subject, address: '0x' + 'd'.repeat(40), amount: 200_000_000n })).outcome, 'review');
    assert.equal(received.length, 0);
    answer = { body: '{"result":"review","reason":"mixer"}' };
    assert.deepEqual(await chained.screen({ ...subject, address: '0x' + 'd'.repeat(40) }), { outcome: 'review', reason: 'mixer' });
    assert.equal(received.length, 1);
  });
});
