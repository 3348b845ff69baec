import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, seal } from '../src/envelope/index.js';
import type { DepositNotification, Notification, WithdrawNotification } from '../src/types/index.js';
import {
  CallbackError,
  MemoryNotificationStore,
  createConfirmationResponder,
  createNotificationHandler,
  createTestConfirmationRequest,
  createTestNotification,
  createTransferConfirmation,
  createWithdrawConfirmation,
  openCallback,
  parseConfirmationRequest,
  parseNotification,
  readBody,
  readCallbackForm,
  readConfirmationReply,
  toExpressHandler,
  toFastifyHandler,
  toNodeHttpHandler,
  type CallbackHandler,
  type ExpressResponseLike,
  type NotificationStore,
  type TestNotificationInput,
} from '../src/callbacks/index.js';

// ---------------------------------------------------------------------------------------------
// Keys: the wallet service's pair (it seals callbacks), the merchant's (it seals replies), and a
// stranger's (a sender that is not the service).

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const wallet = rsa();
const merchant = rsa();
const stranger = rsa();
const appId = 'app-under-test';

const form = 'application/x-www-form-urlencoded';

/** What the service would POST: `app_id` and `data` sealed with the wallet private key. */
function serviceBody(payload: unknown, key: KeyObject = wallet.privateKey): string {
  return new URLSearchParams({ app_id: appId, data: seal(payload, key) }).toString();
}

function depositPayload(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    charset: 'utf-8',
    version: 'v2',
    side: 'deposit',
    notify_time: '1700000000000',
    id: '2628',
    uid: '10581',
    symbol: 'ETH',
    amount: '0.001',
    address_from: '0x1111111111111111111111111111111111111111',
    address_to: '0x8319a3fdd8eb05cffa2b27dcb83516bfc51069f5',
    created_at: '1535945010000',
    updated_at: '1539247637000',
    txid: '0xa7b6dc07847eb4d7d7d79932707cd008038b6d19f18d54325a26131ef14ad66b',
    confirmations: '7',
    status: '1',
    ...extra,
  };
}

function withdrawPayload(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    charset: 'utf-8',
    version: 'v2',
    side: 'withdraw',
    notify_time: '1700000000001',
    request_id: 'wd-42',
    id: '48680',
    uid: '3529218',
    symbol: 'ETH',
    amount: '0.5',
    withdraw_fee_symbol: 'ETH',
    withdraw_fee: '0.001',
    fee_symbol: 'ETH',
    real_fee: '0.00021',
    address_to: '0x754b0c610e011d0d40c810ef857b4dd989a67332',
    created_at: '1700000000000',
    updated_at: '1700000000500',
    txid: '0xabc',
    confirmations: '12',
    status: '5',
    ...extra,
  };
}

function withdrawRequest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: 1700000000000,
    charset: 'utf-8',
    version: 'v2',
    request_id: 'wd-42',
    from_uid: '3529218',
    to_address: '0x754b0c610e011d0d40c810ef857b4dd989a67332',
    amount: '0.5',
    symbol: 'ETH',
    check_sum: 'c0ffee1234',
    ...extra,
  };
}

function transferRequest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '1700000000000',
    charset: 'utf-8',
    version: 'v2',
    request_id: 'tr-7',
    symbol: 'USDT',
    amount: '100',
    to: 'other-merchant-app-id',
    remark: 'settlement',
    check_sum: 'feedface',
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// A real HTTP server; each test mounts its handler on its own path.

type Route = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Route>();
let server: Server;
let base: string;
let routeCount = 0;

function mount(route: Route): string {
  const path = `/r${++routeCount}`;
  routes.set(path, route);
  return path;
}

interface Reply {
  status: number;
  contentType: string;
  text: string;
  headers: Headers;
}

async function post(path: string, body: string | ReadableStream<Uint8Array>, contentType = form): Promise<Reply> {
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers: { 'content-type': contentType }, body };
  if (typeof body !== 'string') init.duplex = 'half';
  const res = await fetch(base + path, init);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text(), headers: res.headers };
}

before(async () => {
  server = createServer((req, res) => {
    const route = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Records calls; `fail` makes the next N calls throw. */
function recorder<N>() {
  const calls: N[] = [];
  let failures = 0;
  return {
    calls,
    failNext(n = 1) {
      failures = n;
    },
    fn: (notification: N) => {
      calls.push(notification);
      if (failures > 0) {
        failures--;
        throw new Error('merchant database is down');
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------

describe('notifications over HTTP (node adapter)', () => {
  test('a deposit notification reaches onDeposit with typed fields and answers SUCCESS', async () => {
    const deposits = recorder<DepositNotification>();
    const all = recorder<Notification>();
    const withdrawals = recorder<WithdrawNotification>();
    const contexts: Array<string | undefined> = [];
    const handler = createNotificationHandler({
      walletPublicKey: wallet.publicKey,
      onDeposit: (n, ctx) => {
        contexts.push(ctx.appId);
        deposits.fn(n);
      },
      onWithdraw: withdrawals.fn,
      onNotification: all.fn,
    });
    const path = mount(toNodeHttpHandler(handler));

    const reply = await post(path, serviceBody(depositPayload()));
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'SUCCESS');
    assert.match(reply.contentType, /^text\/plain/);
    assert.equal(deposits.calls.length, 1);
    assert.equal(withdrawals.calls.length, 0);
    assert.equal(all.calls.length, 1);
    assert.deepEqual(contexts, [appId]);
    const n = deposits.calls[0]!;
    assert.equal(n.side, 'deposit');
    assert.equal(n.id, '2628');
    assert.equal(n.uid, '10581');
    assert.equal(n.amount, '0.001');
    assert.equal(n.status, '1');
    assert.equal(n.txid, '0xa7b6dc07847eb4d7d7d79932707cd008038b6d19f18d54325a26131ef14ad66b');
    assert.deepEqual(n, depositPayload());
  });

  test('a withdraw notification reaches onWithdraw; numeric fields arrive as strings', async () => {
    const deposits = recorder<DepositNotification>();
    const withdrawals = recorder<WithdrawNotification>();
    const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onDeposit: deposits.fn, onWithdraw: withdrawals.fn });
    const path = mount(toNodeHttpHandler(handler));

    const reply = await post(path, serviceBody(withdrawPayload({ id: 48680, status: 5, confirmations: 12 })));
    assert.equal(reply.text, 'SUCCESS');
    assert.equal(deposits.calls.length, 0);
    assert.equal(withdrawals.calls.length, 1);
    const n = withdrawals.calls[0]!;
    assert.equal(n.side, 'withdraw');
    const requestId: string = n.request_id; // typed by the discriminant
    assert.equal(requestId, 'wd-42');
    assert.equal(n.id, '48680');
    assert.equal(n.status, '5');
    assert.equal(n.confirmations, '12');
    assert.equal(n.real_fee, '0.00021');
    assert.equal(n.withdraw_fee_symbol, 'ETH');
  });

  test('a notification with no callback for its side is acknowledged', async () => {
    const deposits = recorder<DepositNotification>();
    const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onDeposit: deposits.fn });
    const reply = await post(mount(toNodeHttpHandler(handler)), serviceBody(withdrawPayload()));
    assert.equal(reply.text, 'SUCCESS');
    assert.equal(deposits.calls.length, 0);
  });

  test('a throwing callback answers FAILURE, and the retry is delivered again (not deduped)', async () => {
    const deposits = recorder<DepositNotification>();
    const errors: unknown[] = [];
    const handler = createNotificationHandler({
      walletPublicKey: wallet.publicKey,
      onDeposit: deposits.fn,
      onError: (error) => errors.push(error),
    });
    const path = mount(toNodeHttpHandler(handler));
    const body = serviceBody(depositPayload({ notify_id: 'n-retry' }));

    deposits.failNext();
    const first = await post(path, body);
    assert.equal(first.status, 200);
    assert.equal(first.text, 'FAILURE');
    assert.equal(errors.length, 1);
    assert.match(String((errors[0] as Error).message), /database is down/);

    const retry = await post(path, body);
    assert.equal(retry.text, 'SUCCESS');
    assert.equal(deposits.calls.length, 2);

    const late = await post(path, body);
    assert.equal(late.text, 'SUCCESS');
    assert.equal(deposits.calls.length, 2, 'a notification already processed is not processed again');
  });

  test('an async rejection counts as failure too', async () => {
    const handler = createNotificationHandler({
      walletPublicKey: wallet.publicKey,
      onNotification: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('later');
      },
    });
    assert.equal((await post(mount(toNodeHttpHandler(handler)), serviceBody(depositPayload()))).text, 'FAILURE');
  });

  test('a duplicate notify_id calls the callback once, even when deliveries overlap', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handler = createNotificationHandler({
      walletPublicKey: wallet.publicKey,
      onDeposit: async () => {
        calls++;
        await gate;
      },
    });
    const node = toNodeHttpHandler(handler);
    let received = 0;
    const path = mount((req, res) => {
      req.once('end', () => received++);
      node(req, res);
    });
    const body = serviceBody(depositPayload({ notify_id: 'n-dup' }));

    const first = post(path, body);
    const second = post(path, body);
    // Both bodies in and the first callback still held: the deliveries overlap.
    for (let i = 0; i < 2_000 && !(received === 2 && calls === 1); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(received, 2, 'both deliveries arrived');
    release();
    assert.deepEqual([(await first).text, (await second).text], ['SUCCESS', 'SUCCESS']);
    assert.equal((await post(path, body)).text, 'SUCCESS');
    assert.equal(calls, 1);

    // Another id is its own notification.
    assert.equal((await post(path, serviceBody(depositPayload({ notify_id: 'n-other' })))).text, 'SUCCESS');
    assert.equal(calls, 2);
  });

  test('notifications without notify_id, or with dedupe off, are always delivered', async () => {
    let calls = 0;
    const onDeposit = () => void calls++;
    const plain = mount(toNodeHttpHandler(createNotificationHandler({ walletPublicKey: wallet.publicKey, onDeposit })));
    const noDedupe = mount(toNodeHttpHandler(createNotificationHandler({ walletPublicKey: wallet.publicKey, onDeposit, dedupe: false })));

    const anonymous = serviceBody(depositPayload());
    await post(plain, anonymous);
    await post(plain, anonymous);
    assert.equal(calls, 2);
    const withId = serviceBody(depositPayload({ notify_id: 'n-no-dedupe' }));
    await post(noDedupe, withId);
    await post(noDedupe, withId);
    assert.equal(calls, 4);
  });

  test('a pluggable async store is consulted, and written only after success', async () => {
    const seen = new Set<string>();
    const log: string[] = [];
    const store: NotificationStore = {
      async has(id) {
        log.push(`has ${id}`);
        return seen.has(id);
      },
      async add(id) {
        log.push(`add ${id}`);
        seen.add(id);
      },
    };
    const deposits = recorder<DepositNotification>();
    const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onDeposit: deposits.fn, dedupe: store });
    assert.equal(handler.store, store);
    const path = mount(toNodeHttpHandler(handler));
    const body = serviceBody(depositPayload({ notify_id: 'db-1' }));

    deposits.failNext();
    assert.equal((await post(path, body)).text, 'FAILURE');
    assert.deepEqual(log, ['has db-1']);
    assert.equal((await post(path, body)).text, 'SUCCESS');
    assert.equal((await post(path, body)).text, 'SUCCESS');
    assert.deepEqual(log, ['has db-1', 'has db-1', 'add db-1', 'has db-1']);
    assert.equal(deposits.calls.length, 2);
  });

  test('a store that fails to answer makes the delivery fail (the service retries)', async () => {
    const deposits = recorder<DepositNotification>();
    const store: NotificationStore = {
      has: () => Promise.reject(new Error('db unreachable')),
      add: () => undefined,
    };
    const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onDeposit: deposits.fn, dedupe: store });
    assert.equal((await post(mount(toNodeHttpHandler(handler)), serviceBody(depositPayload({ notify_id: 'x' })))).text, 'FAILURE');
    assert.equal(deposits.calls.length, 0);
  });

  test('bad envelope, missing data, wrong key, unknown side → FAILURE with a typed reason', async () => {
    const deposits = recorder<DepositNotification>();
    const reasons: string[] = [];
    const handler = createNotificationHandler({
      walletPublicKey: wallet.publicKey,
      onDeposit: deposits.fn,
      onError: (error, notification) => {
        assert.equal(notification, undefined);
        assert.ok(error instanceof CallbackError);
        reasons.push(error.reason);
      },
    });
    const path = mount(toNodeHttpHandler(handler));

    const cases = [
      `app_id=${appId}&data=not*base64`,
      `app_id=${appId}&data=${'A'.repeat(100)}`,
      `app_id=${appId}`,
      `app_id=${appId}&data=`,
      serviceBody(depositPayload(), stranger.privateKey),
      serviceBody(depositPayload({ side: 'refund' })),
      serviceBody(['not', 'an', 'object']),
      serviceBody(depositPayload({ id: undefined })),
      '',
    ];
    for (const body of cases) {
      const reply = await post(path, body);
      assert.equal(reply.status, 200);
      assert.equal(reply.text, 'FAILURE', body.slice(0, 40));
    }
    assert.deepEqual(reasons, [
      'bad-envelope',
      'bad-envelope',
      'missing-data',
      'missing-data',
      'bad-envelope',
      'unknown-side',
      'not-object',
      'invalid-field',
      'missing-data',
    ]);
    assert.equal(deposits.calls.length, 0);
  });

  test('a throwing onError hook does not change the answer', async () => {
    const handler = createNotificationHandler({
      walletPublicKey: wallet.publicKey,
      onDeposit: () => {
        throw new Error('no');
      },
      onError: () => {
        throw new Error('logger broke');
      },
    });
    assert.equal((await handler.handle(serviceBody(depositPayload()))).body, 'FAILURE');
    assert.equal((await handler.handle('garbage')).body, 'FAILURE');
  });

  test('GET → 405 with Allow: POST', async () => {
    const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onNotification: () => {} });
    const res = await fetch(base + mount(toNodeHttpHandler(handler)));
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    await res.text();
  });

  test('a body over 1 MiB → 413, whether declared or streamed', async () => {
    let calls = 0;
    const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onNotification: () => void calls++ });
    const path = mount(toNodeHttpHandler(handler));

    const declared = await post(path, 'a'.repeat(1024 * 1024 + 1));
    assert.equal(declared.status, 413);

    // Without Content-Length: the limit is enforced while reading.
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) controller.close();
        else {
          sent++;
          controller.enqueue(chunk);
        }
      },
    });
    const streamed = await post(path, stream);
    assert.equal(streamed.status, 413);

    // Exactly at the limit is still read (and is of course not a valid notification).
    const atLimit = await post(path, 'a'.repeat(1024 * 1024));
    assert.equal(atLimit.status, 200);
    assert.equal(atLimit.text, 'FAILURE');
    assert.equal(calls, 0);
  });

  test('a smaller limit can be configured', async () => {
    const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onNotification: () => {} });
    const path = mount(toNodeHttpHandler(handler, { limit: 100 }));
    assert.equal((await post(path, serviceBody(depositPayload()))).status, 413);
  });
});

// ---------------------------------------------------------------------------------------------

describe('second confirmation over HTTP', () => {
  test('an approved withdrawal is answered with an envelope echoing check_sum', async () => {
    const seen: unknown[] = [];
    const responder = createWithdrawConfirmation({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approve: (request, ctx) => {
        seen.push(request, ctx.appId);
        return request.request_id === 'wd-42' && request.amount === '0.5';
      },
    });
    const reply = await post(mount(toNodeHttpHandler(responder)), serviceBody(withdrawRequest()));
    assert.equal(reply.status, 200);
    assert.match(reply.contentType, /^application\/json/);
    const outer = JSON.parse(reply.text) as { data: string };
    assert.deepEqual(Object.keys(outer), ['data']);
    const inner = open<Record<string, unknown>>(outer.data, merchant.publicKey);
    assert.equal(inner['check_sum'], 'c0ffee1234');
    assert.equal(typeof inner['time'], 'string');
    assert.ok(Math.abs(Number(inner['time']) - Date.now()) < 60_000);
    assert.deepEqual(Object.keys(inner).sort(), ['check_sum', 'time']);
    assert.deepEqual(seen, [withdrawRequest(), appId]);
    assert.equal(readConfirmationReply(reply.text, merchant.publicKey, 'c0ffee1234').confirmed, true);
    assert.equal(readConfirmationReply(reply.text, merchant.publicKey, 'something else').confirmed, false);
    // The envelope is the merchant's: the wallet key does not open it.
    assert.equal(readConfirmationReply(reply.text, wallet.publicKey, 'c0ffee1234').confirmed, false);
  });

  test('a refused withdrawal is answered without check_sum', async () => {
    const responder = createWithdrawConfirmation({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approve: async () => false,
    });
    const reply = await post(mount(toNodeHttpHandler(responder)), serviceBody(withdrawRequest()));
    assert.equal(reply.status, 200);
    const inner = open<Record<string, unknown>>((JSON.parse(reply.text) as { data: string }).data, merchant.publicKey);
    assert.equal(inner['code'], '120206');
    assert.equal(inner['msg'], 'refused');
    assert.equal(typeof inner['time'], 'string');
    assert.equal('check_sum' in inner, false);
    assert.equal(readConfirmationReply(reply.text, merchant.publicKey, 'c0ffee1234').confirmed, false);
  });

  test('an approver that throws, or returns a merely truthy value, refuses', async () => {
    const errors: unknown[] = [];
    const throwing = createWithdrawConfirmation({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approve: () => {
        throw new Error('lookup failed');
      },
      onError: (e) => errors.push(e),
    });
    const truthy = createWithdrawConfirmation({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approve: (() => 'yes') as unknown as () => boolean,
    });
    for (const responder of [throwing, truthy]) {
      const reply = await post(mount(toNodeHttpHandler(responder)), serviceBody(withdrawRequest()));
      const result = readConfirmationReply(reply.text, merchant.publicKey, 'c0ffee1234');
      assert.equal(result.confirmed, false);
      assert.equal(result.payload?.['code'], '120206');
    }
    assert.equal(errors.length, 1);
  });

  test('bad requests are not confirmed: plain 100005 when undecryptable, refusal when malformed', async () => {
    let calls = 0;
    const responder = createWithdrawConfirmation({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approve: () => {
        calls++;
        return true;
      },
    });
    const path = mount(toNodeHttpHandler(responder));

    const wrongKey = await post(path, serviceBody(withdrawRequest(), stranger.privateKey));
    assert.equal(wrongKey.status, 400);
    assert.equal((JSON.parse(wrongKey.text) as { code: string }).code, '100005');
    assert.equal('data' in JSON.parse(wrongKey.text), false);

    const missing = await post(path, `app_id=${appId}`);
    assert.equal(missing.status, 400);
    assert.equal((JSON.parse(missing.text) as { code: string }).code, '100004');

    for (const payload of [withdrawRequest({ check_sum: undefined }), withdrawRequest({ from_uid: '' }), { hello: 'world' }, [1, 2]]) {
      const reply = await post(path, serviceBody(payload));
      assert.equal(reply.status, 200);
      const result = readConfirmationReply(reply.text, merchant.publicKey, 'c0ffee1234');
      assert.equal(result.confirmed, false);
      assert.equal(result.payload?.['code'], '120206');
    }
    assert.equal(calls, 0);
  });

  test('a numeric check_sum and from_uid are accepted and check_sum is echoed as sent', async () => {
    const responder = createWithdrawConfirmation({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approve: (request) => request.from_uid === '3529218' && request.check_sum === '987654',
    });
    const reply = await post(mount(toNodeHttpHandler(responder)), serviceBody(withdrawRequest({ from_uid: 3529218, check_sum: 987654 })));
    const result = readConfirmationReply(reply.text, merchant.publicKey, '987654');
    assert.equal(result.confirmed, true);
    assert.equal(result.payload?.['check_sum'], 987654);
  });

  test('a transfer confirmation is approved; a withdraw-only responder refuses transfers', async () => {
    const seen: unknown[] = [];
    const transfers = createTransferConfirmation({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approve: (request) => {
        seen.push(request);
        return request.to === 'other-merchant-app-id';
      },
    });
    const reply = await post(mount(toNodeHttpHandler(transfers)), serviceBody(transferRequest()));
    assert.equal(readConfirmationReply(reply.text, merchant.publicKey, 'feedface').confirmed, true);
    assert.deepEqual(seen, [transferRequest()]);

    // A transfer without remark is still recognised (remark defaults to "").
    seen.length = 0;
    await post(mount(toNodeHttpHandler(transfers)), serviceBody(transferRequest({ remark: undefined })));
    assert.equal((seen[0] as { remark: string }).remark, '');

    // The transfer responder refuses withdrawals and vice versa.
    const asWithdraw = await post(mount(toNodeHttpHandler(transfers)), serviceBody(withdrawRequest()));
    assert.equal(readConfirmationReply(asWithdraw.text, merchant.publicKey, 'c0ffee1234').confirmed, false);
    const withdrawOnly = createWithdrawConfirmation({ walletPublicKey: wallet.publicKey, privateKey: merchant.privateKey, approve: () => true });
    const asTransfer = await post(mount(toNodeHttpHandler(withdrawOnly)), serviceBody(transferRequest()));
    assert.equal(readConfirmationReply(asTransfer.text, merchant.publicKey, 'feedface').confirmed, false);
  });

  test('the combined responder dispatches on the request shape', async () => {
    const calls: string[] = [];
    const both = createConfirmationResponder({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approveWithdraw: (r) => (calls.push(`withdraw ${r.request_id}`), true),
      approveTransfer: (r) => (calls.push(`transfer ${r.request_id}`), true),
    });
    const path = mount(toNodeHttpHandler(both));
    assert.equal(readConfirmationReply((await post(path, serviceBody(withdrawRequest()))).text, merchant.publicKey, 'c0ffee1234').confirmed, true);
    assert.equal(readConfirmationReply((await post(path, serviceBody(transferRequest()))).text, merchant.publicKey, 'feedface').confirmed, true);
    // Shape only: a withdrawal recognised by to_address alone goes to the withdrawal approver (and fails its field check).
    const partial = await post(path, serviceBody({ to_address: 'x', check_sum: 'z' }));
    assert.equal(readConfirmationReply(partial.text, merchant.publicKey, 'z').confirmed, false);
    assert.deepEqual(calls, ['withdraw wd-42', 'transfer tr-7']);

    const withdrawOnly = createConfirmationResponder({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approveWithdraw: () => true,
    });
    const refused = await post(mount(toNodeHttpHandler(withdrawOnly)), serviceBody(transferRequest()));
    const result = readConfirmationReply(refused.text, merchant.publicKey, 'feedface');
    assert.equal(result.confirmed, false);
    assert.equal(result.payload?.['code'], '120206');
  });

  test('GET → 405', async () => {
    const responder = createConfirmationResponder({ walletPublicKey: wallet.publicKey, privateKey: merchant.privateKey });
    const res = await fetch(base + mount(toNodeHttpHandler(responder)), { method: 'PUT', body: 'x' });
    assert.equal(res.status, 405);
    await res.text();
  });
});

// ---------------------------------------------------------------------------------------------

/** The parts of Express's res a real app would provide, on top of a node ServerResponse. */
function expressResponse(res: ServerResponse): ExpressResponseLike {
  return {
    status(code) {
      res.statusCode = code;
      return this;
    },
    set(field, value) {
      res.setHeader(field, value);
      return this;
    },
    send(body) {
      res.end(body);
      return this;
    },
  };
}

function fakeExpressResponse() {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as string | undefined };
  const res: ExpressResponseLike = {
    status(code) {
      sent.status = code;
      return res;
    },
    set(field, value) {
      sent.headers[field.toLowerCase()] = value;
      return res;
    },
    send(body) {
      sent.body = body;
      return res;
    },
  };
  return { res, sent };
}

async function settle(sent: { body: string | undefined }): Promise<void> {
  for (let i = 0; i < 4_000 && sent.body === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('Express adapter', () => {
  const deposits: DepositNotification[] = [];
  const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onDeposit: (n) => void deposits.push(n) });
  const express = toExpressHandler(handler);

  test('uses req.body when a body parser filled it (object, string, Buffer)', async () => {
    const fields = Object.fromEntries(new URLSearchParams(serviceBody(depositPayload())));
    for (const body of [fields, serviceBody(depositPayload()), Buffer.from(serviceBody(depositPayload()))]) {
      const { res, sent } = fakeExpressResponse();
      express({ method: 'POST', body }, res);
      await settle(sent);
      assert.equal(sent.status, 200);
      assert.equal(sent.body, 'SUCCESS');
      assert.match(sent.headers['content-type'] ?? '', /^text\/plain/);
    }
    assert.equal(deposits.length, 3);
  });

  test('a parsed body without data answers FAILURE; non-POST answers 405', async () => {
    const missing = fakeExpressResponse();
    express({ method: 'POST', body: { app_id: appId } }, missing.res);
    await settle(missing.sent);
    assert.equal(missing.sent.body, 'FAILURE');

    const get = fakeExpressResponse();
    express({ method: 'GET' }, get.res);
    await settle(get.sent);
    assert.equal(get.sent.status, 405);
  });

  test('reads the raw stream over real HTTP when no body parser ran', async () => {
    const path = mount((req, res) => express(req, expressResponse(res)));
    const before = deposits.length;
    const reply = await post(path, serviceBody(depositPayload({ id: '9001' })));
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'SUCCESS');
    assert.equal(deposits.at(-1)?.id, '9001');
    assert.equal(deposits.length, before + 1);
    assert.equal((await post(path, 'b'.repeat(1024 * 1024 + 10))).status, 413);
  });

  test('reads the raw stream when a non-matching parser left `{}` (Express 4 json())', async () => {
    const path = mount((req, res) => express(Object.assign(req, { body: {} }), expressResponse(res)));
    const reply = await post(path, serviceBody(depositPayload({ id: '9002' })));
    assert.equal(reply.text, 'SUCCESS');
    assert.equal(deposits.at(-1)?.id, '9002');
  });

  test('uses the body an urlencoded() parser filled, over real HTTP', async () => {
    const path = mount(async (req, res) => {
      // What express.urlencoded({ extended: false }) does: consume the stream, fill req.body.
      const text = (await readBody(req)).toString('utf8');
      express(Object.assign(req, { body: Object.fromEntries(new URLSearchParams(text)) }), expressResponse(res));
    });
    const reply = await post(path, serviceBody(depositPayload({ id: '9003' })));
    assert.equal(reply.text, 'SUCCESS');
    assert.equal(deposits.at(-1)?.id, '9003');
  });

  test('serves confirmation replies as JSON', async () => {
    const responder = createWithdrawConfirmation({ walletPublicKey: wallet.publicKey, privateKey: merchant.privateKey, approve: () => true });
    const path = mount((req, res) => toExpressHandler(responder)(req, expressResponse(res)));
    const reply = await post(path, serviceBody(withdrawRequest()));
    assert.match(reply.contentType, /^application\/json/);
    assert.equal(readConfirmationReply(reply.text, merchant.publicKey, 'c0ffee1234').confirmed, true);
  });
});

// ---------------------------------------------------------------------------------------------

function fakeFastifyReply() {
  const sent = { status: 200, type: '', headers: {} as Record<string, string> };
  return {
    sent,
    reply: {
      code(statusCode: number) {
        sent.status = statusCode;
        return this;
      },
      type(contentType: string) {
        sent.type = contentType;
        return this;
      },
      header(name: string, value: string) {
        sent.headers[name.toLowerCase()] = value;
        return this;
      },
    },
  };
}

describe('Fastify adapter', () => {
  const withdrawals: WithdrawNotification[] = [];
  const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onWithdraw: (n) => void withdrawals.push(n) });
  const fastify = toFastifyHandler(handler);

  test('accepts @fastify/formbody objects and string/Buffer bodies', async () => {
    const body = serviceBody(withdrawPayload());
    for (const parsed of [Object.fromEntries(new URLSearchParams(body)), body, Buffer.from(body)]) {
      const { reply, sent } = fakeFastifyReply();
      const payload = await fastify({ method: 'POST', body: parsed }, reply);
      assert.equal(payload, 'SUCCESS');
      assert.equal(sent.status, 200);
      assert.match(sent.type, /^text\/plain/);
    }
    assert.equal(withdrawals.length, 3);
  });

  test('missing body → FAILURE; non-POST → 405', async () => {
    const missing = fakeFastifyReply();
    assert.equal(await fastify({ method: 'POST' }, missing.reply), 'FAILURE');
    const get = fakeFastifyReply();
    assert.equal(await fastify({ method: 'GET' }, get.reply), 'method not allowed');
    assert.equal(get.sent.status, 405);
    assert.equal(get.sent.headers['allow'], 'POST');
  });

  test('over real HTTP, behind a string content-type parser', async () => {
    const responder = createConfirmationResponder({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approveTransfer: () => true,
    });
    const route = toFastifyHandler(responder);
    const path = mount(async (req, res) => {
      // What Fastify does: run the content-type parser, call the handler, send its return value.
      const body = (await readBody(req)).toString('utf8');
      const { reply, sent } = fakeFastifyReply();
      const payload = await route({ method: req.method ?? 'POST', body }, reply);
      res.writeHead(sent.status, { 'content-type': sent.type }).end(payload);
    });
    const reply = await post(path, serviceBody(transferRequest()));
    assert.equal(reply.status, 200);
    assert.match(reply.contentType, /^application\/json/);
    assert.equal(readConfirmationReply(reply.text, merchant.publicKey, 'feedface').confirmed, true);
  });
});

// ---------------------------------------------------------------------------------------------

describe('test helpers for merchants', () => {
  test('createTestNotification builds a body the handler accepts over HTTP', async () => {
    const received: Notification[] = [];
    const handler = createNotificationHandler({ walletPublicKey: wallet.publicKey, onNotification: (n) => void received.push(n) });
    const path = mount(toNodeHttpHandler(handler));
    const input: TestNotificationInput = {
      side: 'withdraw',
      notify_id: 'helper-1',
      request_id: 'wd-1',
      id: '1',
      uid: '2',
      symbol: 'BTC',
      amount: '0.1',
      withdraw_fee_symbol: 'BTC',
      withdraw_fee: '0.0001',
      fee_symbol: 'BTC',
      real_fee: '0.00002',
      address_to: 'bc1qexample',
      created_at: '1',
      updated_at: '2',
      txid: 'tx',
      confirmations: '1',
      status: '5',
    };
    // The input type keeps the documented fields (Omit<> would have erased them).
    // @ts-expect-error withdraw_fee is a string on the wire
    const mistyped: TestNotificationInput = { ...input, withdraw_fee: 1 };
    void mistyped;
    const body = createTestNotification({ walletPrivateKey: wallet.privateKey, appId, notification: input });
    assert.match(body, /^app_id=app-under-test&data=[A-Za-z0-9_-]+$/);
    assert.equal((await post(path, body)).text, 'SUCCESS');
    const got = received[0]!;
    assert.equal(got.side, 'withdraw');
    assert.equal(got.charset, 'utf-8');
    assert.equal(got.version, 'v2');
    assert.match(got.notify_time, /^\d+$/);
    assert.equal(got.notify_id, 'helper-1');

    // Sealed with another wallet key, the handler rejects it.
    const forged = createTestNotification({ walletPrivateKey: stranger.privateKey, appId, notification: input });
    assert.equal((await post(path, forged)).text, 'FAILURE');
  });

  test('createTestConfirmationRequest builds a body the responder accepts; readConfirmationReply judges the reply', async () => {
    const responder = createConfirmationResponder({
      walletPublicKey: wallet.publicKey,
      privateKey: merchant.privateKey,
      approveWithdraw: (r) => r.amount === '1',
      approveTransfer: () => true,
    });
    const path = mount(toNodeHttpHandler(responder));

    const withdraw = createTestConfirmationRequest({
      walletPrivateKey: wallet.privateKey,
      appId,
      request: { request_id: 'a', from_uid: '1', to_address: 'x', amount: '1', symbol: 'ETH' },
    });
    assert.match(withdraw.checkSum, /^[0-9a-f]{16}$/);
    const parsed = parseConfirmationRequest(withdraw.body, wallet.publicKey);
    assert.equal(parsed.kind, 'withdraw');
    assert.equal(parsed.request.check_sum, withdraw.checkSum);
    assert.equal(readConfirmationReply((await post(path, withdraw.body)).text, merchant.publicKey, withdraw.checkSum).confirmed, true);

    const tooMuch = createTestConfirmationRequest({
      walletPrivateKey: wallet.privateKey,
      appId,
      request: { request_id: 'b', from_uid: '1', to_address: 'x', amount: '2', symbol: 'ETH', check_sum: 'given' },
    });
    assert.equal(tooMuch.checkSum, 'given');
    assert.equal(readConfirmationReply((await post(path, tooMuch.body)).text, merchant.publicKey, 'given').confirmed, false);

    const transfer = createTestConfirmationRequest({
      walletPrivateKey: wallet.privateKey,
      appId,
      request: { request_id: 'c', symbol: 'USDT', amount: '5', to: 'peer' },
    });
    assert.equal(readConfirmationReply((await post(path, transfer.body)).text, merchant.publicKey, transfer.checkSum).confirmed, true);
  });

  test('readConfirmationReply accepts the bare envelope and reports plain error replies', () => {
    const bare = seal({ check_sum: 'k', time: '1' }, merchant.privateKey);
    assert.equal(readConfirmationReply(bare, merchant.publicKey, 'k').confirmed, true);
    const plain = readConfirmationReply('{"code":"100005","msg":"x"}', merchant.publicKey, 'k');
    assert.deepEqual(plain, { confirmed: false, payload: undefined, plain: { code: '100005', msg: 'x' } });
    assert.equal(readConfirmationReply('not json', merchant.publicKey, 'k').confirmed, false);
  });
});

// ---------------------------------------------------------------------------------------------

describe('body parsing and parseNotification', () => {
  test('every accepted body shape gives the same form', () => {
    const text = serviceBody(depositPayload());
    const data = new URLSearchParams(text).get('data')!;
    const expected = { app_id: appId, data };
    assert.deepEqual(readCallbackForm(text), expected);
    assert.deepEqual(readCallbackForm(Buffer.from(text)), expected);
    assert.deepEqual(readCallbackForm(new URLSearchParams(text)), expected);
    assert.deepEqual(readCallbackForm({ app_id: appId, data }), expected);
    assert.deepEqual(readCallbackForm(JSON.stringify({ app_id: appId, data })), expected);
    assert.deepEqual(readCallbackForm({ data }), { app_id: undefined, data });
  });

  test('unusable bodies throw CallbackError with a reason', () => {
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        assert.ok(error instanceof CallbackError);
        return error.reason;
      }
      return 'no error';
    };
    assert.equal(reason(() => readCallbackForm({ data: ['a', 'b'] })), 'bad-body');
    assert.equal(reason(() => readCallbackForm(null as unknown as string)), 'bad-body');
    assert.equal(reason(() => readCallbackForm('app_id=x')), 'missing-data');
    assert.equal(reason(() => openCallback(serviceBody({ a: 1 }, stranger.privateKey), wallet.publicKey)), 'bad-envelope');
    assert.equal(reason(() => parseNotification(serviceBody(depositPayload({ side: 'Deposit' })), wallet.publicKey)), 'unknown-side');
    assert.equal(reason(() => parseNotification(serviceBody(withdrawPayload({ request_id: undefined })), wallet.publicKey)), 'invalid-field');
    assert.equal(reason(() => parseNotification(serviceBody(depositPayload({ amount: { v: 1 } })), wallet.publicKey)), 'invalid-field');
    assert.equal(reason(() => parseConfirmationRequest(serviceBody({ check_sum: 'x' }), wallet.publicKey)), 'unknown-request');
  });

  test('parseNotification accepts PEM keys and keeps unknown fields', () => {
    const pem = wallet.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const n = parseNotification(serviceBody(depositPayload({ memo: 'extra' })), pem);
    assert.equal(n.side, 'deposit');
    assert.equal(n['memo'], 'extra');
  });

  test('the vendor notification vector decrypts to a deposit with the exact fields', () => {
    const fixtures = new URL('./fixtures/', import.meta.url);
    const keys = JSON.parse(readFileSync(new URL('demo-keys.json', fixtures), 'utf8')) as { wallet_public_key: string; app_id: string };
    const { vectors } = JSON.parse(readFileSync(new URL('seed-examples.json', fixtures), 'utf8')) as {
      vectors: Array<{ ciphertext: string; decrypt_with: string; plaintext: string }>;
    };
    const vector = vectors.find((v) => v.ciphertext.length === 1024 && v.decrypt_with === 'wallet_public_key');
    assert.ok(vector, 'the 1024-char notification vector is in the fixtures');

    const n = parseNotification({ app_id: keys.app_id, data: vector.ciphertext }, keys.wallet_public_key);
    assert.equal(n.side, 'deposit');
    assert.deepEqual(n, JSON.parse(vector.plaintext));
    assert.equal(n.id, '1');
    assert.equal(n.uid, '3529218');
    assert.equal(n.symbol, 'ETH');
    assert.equal(n.amount, '222,0000022111');
    assert.equal(n.address_to, '0x754b0c610e011d0d40c810ef857b4dd989a67332');
    assert.equal(n.txid, '1234');
    assert.equal(n.confirmations, '1');
    assert.equal(n.status, '1');
    assert.equal(n.notify_time, '1586418894616');
    assert.equal(n.created_at, '2020-02-28 12:21:11');
    assert.equal(n.version, '2.0');

    // And the same vector through the handler, as the service would POST it.
    const body = new URLSearchParams({ app_id: keys.app_id, data: vector.ciphertext }).toString();
    assert.equal(parseNotification(body, keys.wallet_public_key).id, '1');
  });
});

describe('MemoryNotificationStore', () => {
  test('is bounded and evicts the least recently used id', () => {
    const store = new MemoryNotificationStore(2);
    store.add('a');
    store.add('b');
    assert.equal(store.has('a'), true); // a is now the most recent
    store.add('c'); // evicts b
    assert.equal(store.size, 2);
    assert.equal(store.has('b'), false);
    assert.equal(store.has('a'), true);
    assert.equal(store.has('c'), true);
    assert.throws(() => new MemoryNotificationStore(0), RangeError);
  });

  test('defaults to 10,000 ids', () => {
    const store = new MemoryNotificationStore();
    for (let i = 0; i < 10_050; i++) store.add(String(i));
    assert.equal(store.size, 10_000);
    assert.equal(store.has('49'), false);
    assert.equal(store.has('50'), true);
  });
});

describe('construction', () => {
  test('a handler without any callback is a configuration error', () => {
    assert.throws(() => createNotificationHandler({ walletPublicKey: wallet.publicKey }), TypeError);
  });

  test('unusable keys fail at construction, not per request', () => {
    assert.throws(() => createNotificationHandler({ walletPublicKey: 'nope!', onNotification: () => {} }), { name: 'KeyParseError' });
    assert.throws(
      () => createConfirmationResponder({ walletPublicKey: wallet.publicKey, privateKey: merchant.publicKey }),
      { name: 'KeyParseError' },
    );
  });

  test('handlers share one shape, so any of them mounts on any adapter', async () => {
    const handlers: CallbackHandler[] = [
      createNotificationHandler({ walletPublicKey: wallet.publicKey, onNotification: () => {} }),
      createConfirmationResponder({ walletPublicKey: wallet.publicKey, privateKey: merchant.privateKey }),
    ];
    for (const h of handlers) {
      const r = await h.handle('');
      assert.equal(typeof r.status, 'number');
      assert.equal(typeof r.contentType, 'string');
      assert.equal(typeof r.body, 'string');
    }
  });
});
