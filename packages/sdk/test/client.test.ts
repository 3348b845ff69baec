import assert from 'node:assert/strict';
import { constants, createPublicKey, generateKeyPairSync, privateEncrypt, publicDecrypt, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it, mock } from 'node:test';
import { WaasClient, type WaasClientOptions } from '../src/client/index.js';
import { endpoints, type EndpointName } from '../src/endpoints.js';
import { EnvelopeError, KeyParseError, WaasBaseError, WaasError, WaasTimeoutError, WaasTransportError } from '../src/errors/index.js';
import type { DepositRecord, MinerFeeRecord, WithdrawRecord } from '../src/types/index.js';

// ---------------------------------------------------------------------------------------------
// Keys. The fake wallet service below has its own envelope code (node:crypto only), so these
// tests do not check the client's envelope against itself.

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchant = rsa();
const wallet = rsa();
const stranger = rsa();
const demo = JSON.parse(readFileSync(new URL('./fixtures/demo-keys.json', import.meta.url), 'utf8')) as {
  third_private_key: string;
  third_public_key: string;
  app_id: string;
};

const appId = 'app-merchant-1';

/** Private-encrypt in segments (245 bytes, not the client's 234: any size must be accepted). */
function sealFor(value: unknown, key: KeyObject, segment = 245): string {
  const plain = Buffer.from(JSON.stringify(value), 'utf8');
  const blocks: Buffer[] = [];
  for (let i = 0; i < plain.length; i += segment) {
    blocks.push(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, plain.subarray(i, i + segment)));
  }
  return Buffer.concat(blocks).toString('base64url');
}

/** Public-decrypt block by block; returns the JSON and each segment's plaintext length. */
function openFrom(data: string, key: KeyObject): { value: Record<string, unknown>; segments: number[] } {
  const cipher = Buffer.from(data, 'base64url');
  const size = key.asymmetricKeyDetails!.modulusLength! / 8;
  assert.equal(cipher.length % size, 0, 'whole RSA blocks');
  const parts: Buffer[] = [];
  for (let i = 0; i < cipher.length; i += size) {
    parts.push(publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, cipher.subarray(i, i + size)));
  }
  return { value: JSON.parse(Buffer.concat(parts).toString('utf8')), segments: parts.map((p) => p.length) };
}

// ---------------------------------------------------------------------------------------------
// A fake wallet service on 127.0.0.1:0.

interface Recorded {
  method: string;
  path: string;
  contentType: string | undefined;
  /** The query string's fields. */
  query: Record<string, string>;
  /** The raw request body. */
  body: string;
  /** `app_id` from the query (GET) or form body (POST). */
  appId: string;
  /** Decrypted `data`. */
  fields: Record<string, unknown>;
  segments: number[];
}

interface Reply {
  status?: number;
  contentType?: string;
  body: string;
  /** Wait before answering. */
  delayMs?: number;
  /** Send the headers and this part of the body at once, the rest after `delayMs`. */
  headFirst?: string;
  /** Never finish the answer: the response stays open (in `held`) until the client goes away. */
  hold?: boolean;
}

type Responder = (request: Recorded) => Reply;

/** The merchants the service knows: their public key, and the wallet key answering them. */
const merchants = new Map<string, { merchantPublic: KeyObject; walletPrivate: KeyObject }>([
  [appId, { merchantPublic: merchant.publicKey, walletPrivate: wallet.privateKey }],
  [demo.app_id, { merchantPublic: createPublicKey({ key: Buffer.from(demo.third_public_key, 'base64'), format: 'der', type: 'spki' }), walletPrivate: wallet.privateKey }],
]);

const plain = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value), contentType: 'application/json' });
const ok = (data: unknown, key = wallet.privateKey): Reply => plain(200, { data: sealFor({ code: '0', msg: 'success', data }, key) });
const fail = (code: string, msg: string, data?: unknown): Reply => plain(200, { data: sealFor({ code, msg, data }, wallet.privateKey) });

let server: Server;
let baseUrl: string;
let recorded: Recorded[] = [];
let responder: Responder = () => ok(null);
/** Responses a `hold` reply left open, oldest first. */
const held: ServerResponse[] = [];

/** Resolves once the client has closed the connection of a held response. */
function closedByClient(res: ServerResponse): Promise<void> {
  return res.destroyed || res.socket?.destroyed ? Promise.resolve() : new Promise((resolve) => res.once('close', () => resolve()));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://localhost');
  const form = new URLSearchParams(req.method === 'POST' ? body : url.search);
  const known = merchants.get(form.get('app_id') ?? '');
  if (!known) return send(res, plain(200, { code: '100015', msg: 'merchant id (app_id) is invalid' }));
  let opened: ReturnType<typeof openFrom>;
  try {
    opened = openFrom(form.get('data') ?? '', known.merchantPublic);
  } catch {
    return send(res, plain(200, { code: '100005', msg: 'signature verification failed' }));
  }
  const entry: Recorded = {
    method: req.method ?? '',
    path: url.pathname,
    contentType: req.headers['content-type'],
    query: Object.fromEntries(url.searchParams),
    body,
    appId: form.get('app_id') ?? '',
    fields: opened.value,
    segments: opened.segments,
  };
  recorded.push(entry);
  send(res, responder(entry));
}

function send(res: ServerResponse, reply: Reply): void {
  const write = () => {
    if (res.destroyed) return;
    res.end(reply.body);
  };
  res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' });
  if (reply.headFirst !== undefined) {
    res.flushHeaders();
    res.write(reply.headFirst);
  }
  if (reply.hold) {
    held.push(res);
    return;
  }
  if (!reply.delayMs) return write();
  const timer = setTimeout(write, reply.delayMs);
  res.on('close', () => clearTimeout(timer));
}

function client(overrides: Partial<WaasClientOptions> = {}): WaasClient {
  return new WaasClient({ baseUrl, appId, privateKey: merchant.privateKey, walletPublicKey: wallet.publicKey, ...overrides });
}

/** Checks the common fields and returns the rest of the decrypted request. */
function paramsOf(entry: Recorded, t0: number, t1: number): Record<string, unknown> {
  const { time, charset, version, ...rest } = entry.fields;
  assert.equal(typeof time, 'number', 'time is a number');
  assert.ok((time as number) >= t0 && (time as number) <= t1, `time ${String(time)} is now`);
  assert.equal(charset, 'utf-8');
  assert.equal(version, 'v2');
  return rest;
}

before(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(599).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  recorded = [];
  responder = () => ok(null);
});

// ---------------------------------------------------------------------------------------------
// Records.

function withdrawal(id: number): WithdrawRecord {
  return {
    id,
    request_id: `order-${id}`,
    uid: 1002,
    symbol: 'ETH',
    amount: '0.5',
    withdraw_fee_symbol: 'ETH',
    withdraw_fee: '0.001',
    fee_symbol: 'ETH',
    real_fee: '0.000021',
    address_from: '0xhot',
    address_to: '0xdest',
    txid: `0xtx${id}`,
    confirmations: 12,
    saas_status: 1,
    company_status: 1,
    status: 5,
    created_at: 1_700_000_000_000 + id,
    updated_at: 1_700_000_100_000 + id,
    base_symbol: 'ETH',
    contract_address: '',
    email: 'buyer@example.com',
    fee: '0.001',
    txid_type: '0',
  };
}

function deposit(id: number): DepositRecord {
  return {
    id,
    uid: 1002,
    symbol: 'BTC',
    amount: '0.01',
    address_from: 'bc1from',
    address_to: 'bc1to',
    txid: `tx${id}`,
    confirmations: 6,
    status: 1,
    created_at: 1_700_000_000_000 + id,
    updated_at: 1_700_000_100_000 + id,
    base_symbol: 'BTC',
    contract_address: '',
    email: 'buyer@example.com',
    txid_type: '0',
    is_mining: 0,
  };
}

function minerFee(id: number): MinerFeeRecord {
  return {
    id,
    symbol: 'USDT',
    amount: '100',
    fee: '0.0021',
    address_from: '0xdeposit',
    address_to: '0xhot',
    txid: `0xsweep${id}`,
    txid_type: '0',
    confirmations: 30,
    status: 1,
    base_symbol: 'ETH',
    contract_address: '0xdac17f958d2ee523a2206206994597c13d831ec7',
    email: '',
    created_at: 1_700_000_000_000 + id,
    updated_at: 1_700_000_100_000 + id,
  };
}

// ---------------------------------------------------------------------------------------------
// Every endpoint: method and path as API.md §2 documents them (not read from `endpoints`).

interface EndpointCase {
  name: EndpointName;
  /** "METHOD /path" as in API.md §2. */
  http: string;
  run: (c: WaasClient) => Promise<unknown>;
  /** The decrypted params expected on the wire (besides time/charset/version). */
  sent: Record<string, unknown>;
  reply: unknown;
}

const coin = {
  symbol: 'ETH', icon: 'https://x/eth.png', real_symbol: 'ETH', decimals: '18', name: 'Ether', base_symbol: 'ETH',
  contract_address: '', deposit_confirmation: '12', explorer: 'https://etherscan.io/tx/{txid}', address_regex: '^0x[0-9a-fA-F]{40}$',
  address_tag_regex: '', support_memo: '0', support_token: '1',
};
const transferRecord = {
  id: 3, symbol: 'USDT', amount: '10', from: appId, to: 'app-b', created_at: 1_700_000_000_000, request_id: 't-1', receipt: 'r-123', remark: 'rent',
};

const cases: EndpointCase[] = [
  { name: 'createUser', http: 'POST /user/createUser', run: (c) => c.createUser({ country: '86', mobile: '13800138000' }), sent: { country: '86', mobile: '13800138000' }, reply: { uid: 1001 } },
  { name: 'registerEmail', http: 'POST /user/registerEmail', run: (c) => c.registerEmail({ email: 'alice@example.com' }), sent: { email: 'alice@example.com' }, reply: { uid: 1002 } },
  { name: 'getUserInfo', http: 'GET /user/info', run: (c) => c.getUserInfo({ email: 'alice@example.com' }), sent: { email: 'alice@example.com' }, reply: { uid: 1002, nickname: 'alice' } },
  { name: 'getCoinList', http: 'GET /user/getCoinList', run: (c) => c.getCoinList(), sent: {}, reply: [coin, { ...coin, symbol: 'USDT', contract_address: '0xdac1' }] },
  { name: 'getDepositAddress', http: 'POST /account/getDepositAddress', run: (c) => c.getDepositAddress({ uid: 1002, symbol: 'EOS' }), sent: { uid: 1002, symbol: 'EOS' }, reply: { uid: 1002, address: 'openwaasdepo_24545' } },
  { name: 'getByUidAndSymbol', http: 'GET /account/getByUidAndSymbol', run: (c) => c.getByUidAndSymbol({ uid: '1002', symbol: 'ETH' }), sent: { uid: '1002', symbol: 'ETH' }, reply: { normal_balance: '1.5', lock_balance: '0.1', deposit_address: '0xabc' } },
  { name: 'getCompanyBySymbol', http: 'GET /account/getCompanyBySymbol', run: (c) => c.getCompanyBySymbol({ symbol: 'USDT' }), sent: { symbol: 'USDT' }, reply: { symbol: 'USDT', balance: '1000.000001' } },
  {
    name: 'withdraw', http: 'POST /billing/withdraw',
    run: (c) => c.withdraw({ request_id: 'order-7', from_uid: 1002, to_address: '0xdest', amount: '0.5', symbol: 'ETH' }),
    sent: { request_id: 'order-7', from_uid: 1002, to_address: '0xdest', amount: '0.5', symbol: 'ETH' },
    reply: { id: 7, status: 0, withdraw_type: 1 },
  },
  { name: 'syncWithdrawList', http: 'GET /billing/syncWithdrawList', run: (c) => c.syncWithdrawList({ max_id: 0 }), sent: { max_id: 0 }, reply: [withdrawal(1), withdrawal(2)] },
  { name: 'withdrawList', http: 'GET /billing/withdrawList', run: (c) => c.withdrawList({ ids: ['order-1', 'order-2'] }), sent: { ids: 'order-1,order-2' }, reply: [withdrawal(1), withdrawal(2)] },
  { name: 'syncDepositList', http: 'GET /billing/syncDepositList', run: (c) => c.syncDepositList({ max_id: '5' }), sent: { max_id: '5' }, reply: [deposit(6)] },
  { name: 'depositList', http: 'GET /billing/depositList', run: (c) => c.depositList({ ids: [3, 4] }), sent: { ids: '3,4' }, reply: [deposit(3), deposit(4)] },
  { name: 'syncMinerFeeList', http: 'GET /billing/syncMinerFeeList', run: (c) => c.syncMinerFeeList({ max_id: 8 }), sent: { max_id: 8 }, reply: [minerFee(9)] },
  { name: 'minerFeeList', http: 'GET /billing/minerFeeList', run: (c) => c.minerFeeList({ ids: '9,10' }), sent: { ids: '9,10' }, reply: [minerFee(9), minerFee(10)] },
  {
    name: 'transfer', http: 'POST /account/transfer',
    run: (c) => c.transfer({ request_id: 't-1', symbol: 'USDT', amount: '10', to: 'app-b', remark: '房租 rent' }),
    sent: { request_id: 't-1', symbol: 'USDT', amount: '10', to: 'app-b', remark: '房租 rent' },
    reply: { receipt: 'r-123' },
  },
  { name: 'transferList', http: 'POST /account/transferList', run: (c) => c.transferList({ ids: ['r-123', 'r-124'], ids_type: 'receipt' }), sent: { ids: 'r-123,r-124', ids_type: 'receipt' }, reply: [transferRecord] },
  { name: 'syncTransferList', http: 'POST /account/syncTransferList', run: (c) => c.syncTransferList({ max_id: 2 }), sent: { max_id: 2 }, reply: [transferRecord] },
  {
    name: 'syncUserList', http: 'POST /user/syncList', run: (c) => c.syncUserList({ max_id: 0 }), sent: { max_id: 0 },
    reply: [{ uid: 1001, nickname: '', mobile: '13800138000', country: '86', email: '', created_at: 1_700_000_000_000 }],
  },
  { name: 'getDepositAddressInfo', http: 'POST /account/getDepositAddressInfo', run: (c) => c.getDepositAddressInfo({ address: '0xabc' }), sent: { address: '0xabc' }, reply: { uid: 1002, symbol: 'ETH', address: '0xabc' } },
  { name: 'syncAddressList', http: 'POST /address/syncList', run: (c) => c.syncAddressList({ max_id: 0 }), sent: { max_id: 0 }, reply: [{ id: 1, uid: 1002, symbol: 'ETH', address: '0xabc' }] },
];

describe('every endpoint', () => {
  it('the cases cover all 20 endpoints, and the client has a method for each', () => {
    assert.deepEqual(cases.map((c) => c.name).sort(), Object.keys(endpoints).sort());
    assert.equal(cases.length, 20);
    for (const name of Object.keys(endpoints)) assert.equal(typeof (WaasClient.prototype as unknown as Record<string, unknown>)[name], 'function', name);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.http} with its params, returns data`, async () => {
      responder = () => ok(c.reply);
      const [method, path] = c.http.split(' ') as [string, string];
      const t0 = Date.now();
      const result = await c.run(client());
      const t1 = Date.now();

      assert.deepEqual(result, c.reply);
      assert.equal(recorded.length, 1);
      const [entry] = recorded as [Recorded];
      assert.equal(entry.method, method);
      assert.equal(entry.path, `/api/v2${path}`);
      assert.equal(entry.appId, appId);
      assert.deepEqual(paramsOf(entry, t0, t1), c.sent);
      if (method === 'GET') {
        assert.deepEqual(Object.keys(entry.query).sort(), ['app_id', 'data']);
        assert.equal(entry.body, '');
      } else {
        assert.match(entry.contentType ?? '', /^application\/x-www-form-urlencoded/);
        assert.deepEqual(entry.query, {});
        assert.deepEqual([...new URLSearchParams(entry.body).keys()].sort(), ['app_id', 'data']);
      }
    });
  }

  it("method: 'POST' posts a form for all 20, GET-documented ones included", async () => {
    const c = client({ method: 'POST' });
    for (const k of cases) {
      responder = () => ok(k.reply);
      assert.deepEqual(await k.run(c), k.reply, k.name);
    }
    assert.equal(recorded.length, 20);
    assert.deepEqual(recorded.map((r) => r.method), Array(20).fill('POST'));
    assert.deepEqual(recorded.map((r) => r.path), cases.map((k) => `/api/v2${k.http.split(' ')[1]}`));
    for (const r of recorded) {
      assert.match(r.contentType ?? '', /^application\/x-www-form-urlencoded/);
      assert.deepEqual(r.query, {});
    }
    assert.deepEqual(recorded.map((r) => r.fields['version']), Array(20).fill('v2'));
  });

  it('call() reaches an endpoint by name', async () => {
    responder = () => ok({ symbol: 'BTC', balance: '2' });
    assert.deepEqual(await client().call('getCompanyBySymbol', { symbol: 'BTC' }), { symbol: 'BTC', balance: '2' });
    assert.equal(recorded[0]?.path, '/api/v2/account/getCompanyBySymbol');
    assert.equal(recorded[0]?.method, 'GET');
    await assert.rejects(client().call('nope' as EndpointName, {} as never), TypeError);
  });

  it('omits undefined params and keeps falsy ones', async () => {
    await client().transferList({ ids: 'a,b', ids_type: undefined });
    await client().syncUserList({ max_id: 0 });
    assert.deepEqual(paramsOf(recorded[0]!, 0, Date.now()), { ids: 'a,b' });
    assert.ok(!('ids_type' in recorded[0]!.fields));
    assert.deepEqual(paramsOf(recorded[1]!, 0, Date.now()), { max_id: 0 });
  });

  it('baseUrl may end with "/" or already carry /api/v2', async () => {
    await client({ baseUrl: `${baseUrl}/` }).getCoinList();
    await client({ baseUrl: `${baseUrl}/api/v2/` }).getCoinList();
    assert.deepEqual(recorded.map((r) => r.path), ['/api/v2/user/getCoinList', '/api/v2/user/getCoinList']);
  });

  it('never seals the same fields with the same time twice: a repeat in one millisecond gets the next', async () => {
    const frozenMs = 1_700_000_000_000;
    const now = mock.method(Date, 'now', () => frozenMs);
    try {
      const c = client();
      await Promise.all([c.syncUserList({ max_id: 0 }), c.syncDepositList({ max_id: 0 }), c.syncWithdrawList({ max_id: 0 }), c.getCoinList(), c.syncUserList({ max_id: 7 })]);
    } finally {
      now.mock.restore();
    }
    const times = Object.fromEntries(recorded.map((r) => [`${r.path} ${JSON.stringify(r.fields['max_id'])}`, r.fields['time']]));
    // The three calls with max_id 0 share their fields: three times; the others keep the clock's.
    assert.deepEqual(
      [times['/api/v2/user/syncList 0'], times['/api/v2/billing/syncDepositList 0'], times['/api/v2/billing/syncWithdrawList 0']].sort(),
      [frozenMs, frozenMs + 1, frozenMs + 2],
    );
    assert.equal(times['/api/v2/user/getCoinList undefined'], frozenMs);
    assert.equal(times['/api/v2/user/syncList 7'], frozenMs);
  });

  it('uses the injected fetch', async () => {
    const seen: string[] = [];
    const spy: typeof fetch = (input, init) => {
      seen.push(`${init?.method} ${String(input).split('?')[0]}`);
      return fetch(input, init);
    };
    await client({ fetch: spy }).getCompanyBySymbol({ symbol: 'ETH' });
    await client({ fetch: spy }).registerEmail({ email: 'b@example.com' });
    assert.deepEqual(seen, [`GET ${baseUrl}/api/v2/account/getCompanyBySymbol`, `POST ${baseUrl}/api/v2/user/registerEmail`]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('envelope segments', () => {
  const long = { email: `${'x'.repeat(300)}@example.com` };

  it('cuts the request into 234-byte segments by default', async () => {
    await client().registerEmail(long);
    const { segments } = recorded[0]!;
    assert.ok(segments.length >= 2);
    assert.ok(segments.slice(0, -1).every((s) => s === 234), `segments ${segments.join(',')}`);
  });

  it('honours segmentBytes', async () => {
    await client({ segmentBytes: 100 }).registerEmail(long);
    const { segments } = recorded[0]!;
    assert.ok(segments.length >= 4);
    assert.ok(segments.slice(0, -1).every((s) => s === 100), `segments ${segments.join(',')}`);
    assert.deepEqual(paramsOf(recorded[0]!, 0, Date.now()), long);
  });

  it('decodes a multi-block, non-ASCII response', async () => {
    const nickname = '测试用户'.repeat(40); // 480 bytes of UTF-8: characters straddle blocks
    responder = () => ok({ uid: 1, nickname });
    assert.deepEqual(await client().getUserInfo({ country: '86', mobile: '1' }), { uid: 1, nickname });
  });
});

// ---------------------------------------------------------------------------------------------

describe('errors', () => {
  it('a non-zero code throws WaasError with code, msg and data', async () => {
    responder = () => fail('110088', 'duplicate request', { id: 7, status: 0 });
    const error = await client().withdraw({ request_id: 'order-7', from_uid: 1, to_address: '0xd', amount: '1', symbol: 'ETH' }).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WaasError);
    assert.equal(error.code, '110088');
    assert.equal(error.msg, 'duplicate request');
    assert.deepEqual(error.data, { id: 7, status: 0 });
    assert.ok(error.is('110088'));
    assert.match(error.message, /110088/);
  });

  it('a numeric code is read as a string; a missing msg falls back to the registry', async () => {
    responder = () => plain(200, { data: sealFor({ code: 120402 }, wallet.privateKey) });
    await assert.rejects(client().getCoinList(), (e: unknown) => e instanceof WaasError && e.code === '120402' && e.msg === 'insufficient balance');
  });

  it('a plain-JSON answer with HTTP 200 (unknown app_id) throws WaasError 100015, not a transport error', async () => {
    await assert.rejects(client({ appId: 'who-am-i' }).getCoinList(), (e: unknown) => {
      assert.ok(e instanceof WaasError, String(e));
      assert.equal(e.code, '100015');
      assert.equal(e.msg, 'merchant id (app_id) is invalid');
      return true;
    });
    assert.equal(recorded.length, 0);
  });

  it('data sealed with a key the service does not know → plain 100005, HTTP 200', async () => {
    await assert.rejects(client({ privateKey: stranger.privateKey }).getCoinList(), (e: unknown) => e instanceof WaasError && e.code === '100005');
  });

  it('a plain coded answer with a 4xx (as older services sent it) is still WaasError with its code', async () => {
    responder = () => plain(400, { code: '100015', msg: 'merchant id (app_id) is invalid' });
    await assert.rejects(client().getCoinList(), (e: unknown) => e instanceof WaasError && e.code === '100015');
  });

  it('HTTP 500 with an HTML page → WaasTransportError with the status', async () => {
    responder = () => ({ status: 500, contentType: 'text/html', body: '<html><body><h1>500 Internal Server Error</h1></body></html>' });
    await assert.rejects(client().getCoinList(), (e: unknown) => {
      assert.ok(e instanceof WaasTransportError, String(e));
      assert.equal(e.status, 500);
      assert.match(e.message, /HTTP 500/);
      assert.match(e.details ?? '', /Internal Server Error/);
      return true;
    });
  });

  it('a 5xx with a JSON code is still a transport failure', async () => {
    responder = () => plain(502, { code: '100001', msg: 'bad gateway' });
    await assert.rejects(client().getCoinList(), (e: unknown) => e instanceof WaasTransportError && e.status === 502);
  });

  it('HTTP 200 with HTML, or JSON without data, → WaasTransportError', async () => {
    responder = () => ({ status: 200, contentType: 'text/html', body: '<html>maintenance</html>' });
    await assert.rejects(client().getCoinList(), (e: unknown) => e instanceof WaasTransportError && e.status === 200 && /not a JSON object/.test(e.message));
    responder = () => plain(200, { result: 'ok' });
    await assert.rejects(client().getCoinList(), (e: unknown) => e instanceof WaasTransportError && e.status === 200 && /no data envelope/.test(e.message));
  });

  it('a decrypted response without code → WaasTransportError', async () => {
    responder = () => plain(200, { data: sealFor([1, 2], wallet.privateKey) });
    await assert.rejects(client().getCoinList(), (e: unknown) => e instanceof WaasTransportError && /no code/.test(e.message));
  });

  it('connection refused → WaasTransportError with the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(client({ baseUrl: `http://127.0.0.1:${port}` }).getCoinList(), (e: unknown) => {
      assert.ok(e instanceof WaasTransportError, String(e));
      assert.equal(e.status, undefined);
      assert.ok(e.cause, 'keeps the cause');
      assert.match(e.message, /ECONNREFUSED/);
      return true;
    });
  });

  it('a server that never answers → WaasTimeoutError naming timeoutMs; the client drops the request', async () => {
    held.length = 0;
    responder = () => ({ ...ok({ uid: 1 }), hold: true });
    await assert.rejects(client({ timeoutMs: 200 }).createUser({ country: '86', mobile: '1' }), (e: unknown) => {
      assert.ok(e instanceof WaasTimeoutError, String(e));
      assert.ok(!(e instanceof WaasTransportError));
      assert.equal(e.timeoutMs, 200);
      assert.match(e.message, /\/api\/v2\/user\/createUser/);
      return true;
    });
    // It gave up on its own: the answer was never written, and the connection is the client's to close.
    assert.equal(held.length, 1);
    assert.equal(held[0]!.writableEnded, false, 'the server never answered');
    await closedByClient(held[0]!);
  });

  it('a body that stalls after the headers → WaasTimeoutError too', async () => {
    held.length = 0;
    responder = () => ({ ...ok({ uid: 1 }), headFirst: '{"da', hold: true });
    await assert.rejects(client({ timeoutMs: 200 }).getCoinList(), WaasTimeoutError);
    assert.equal(held.length, 1);
    assert.equal(held[0]!.writableEnded, false, 'the body never ended');
    await closedByClient(held[0]!);
  });

  it('a response sealed with the wrong key → EnvelopeError (wrong-key)', async () => {
    responder = () => ok({ uid: 1 }, stranger.privateKey);
    await assert.rejects(client().createUser({ country: '86', mobile: '1' }), (e: unknown) => e instanceof EnvelopeError && e.reason === 'wrong-key');
  });

  it('a garbled envelope → EnvelopeError', async () => {
    responder = () => plain(200, { data: 'not*base64' });
    await assert.rejects(client().getCoinList(), (e: unknown) => e instanceof EnvelopeError && e.reason === 'bad-base64');
    responder = () => plain(200, { data: 'AAAA' });
    await assert.rejects(client().getCoinList(), (e: unknown) => e instanceof EnvelopeError && e.reason === 'truncated-block');
  });
});

// ---------------------------------------------------------------------------------------------

describe('iterators', () => {
  /** Serves a sync list the way the service does: ids > max_id, ascending, 100 at most. */
  function syncList<R extends { id: number }>(records: R[]): Responder {
    return (r) => ok(records.filter((x) => x.id > Number(r.fields['max_id'])).slice(0, 100));
  }
  const maxIds = () => recorded.map((r) => r.fields['max_id']);

  it('iterateWithdrawals pages through 250 records with max_id = the last id of each page', async () => {
    const all = Array.from({ length: 250 }, (_, i) => withdrawal(10 * (i + 1))); // ids 10..2500: not a row count
    responder = syncList(all);
    const seen: WithdrawRecord[] = [];
    for await (const w of client().iterateWithdrawals()) seen.push(w);
    assert.deepEqual(seen, all);
    assert.deepEqual(maxIds(), [0, 1000, 2000, 2500]);
    assert.ok(recorded.every((r) => r.path === '/api/v2/billing/syncWithdrawList' && r.method === 'GET'));
  });

  it('iterateDeposits starts after maxId', async () => {
    const all = Array.from({ length: 250 }, (_, i) => deposit(i + 1));
    responder = syncList(all);
    const ids: number[] = [];
    for await (const d of client().iterateDeposits({ maxId: '30' })) ids.push(d.id);
    assert.deepEqual(ids, all.slice(30).map((d) => d.id));
    assert.deepEqual(maxIds(), ['30', 130, 230, 250]);
    assert.ok(recorded.every((r) => r.path === '/api/v2/billing/syncDepositList'));
  });

  it('iterateMinerFees pages through 250 records (in POST mode too)', async () => {
    const all = Array.from({ length: 250 }, (_, i) => minerFee(1000 + i));
    responder = syncList(all);
    const ids: number[] = [];
    for await (const m of client({ method: 'POST' }).iterateMinerFees({ maxId: 0 })) ids.push(m.id);
    assert.deepEqual(ids, all.map((m) => m.id));
    assert.deepEqual(maxIds(), [0, 1099, 1199, 1249]);
    assert.ok(recorded.every((r) => r.path === '/api/v2/billing/syncMinerFeeList' && r.method === 'POST'));
  });

  it('an empty first page yields nothing after one request; nothing is sent before next()', async () => {
    responder = syncList([]);
    const iterator = client().iterateDeposits();
    assert.equal(recorded.length, 0);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    assert.equal(recorded.length, 1);
  });

  it('breaking out early stops requesting', async () => {
    responder = syncList(Array.from({ length: 250 }, (_, i) => withdrawal(i + 1)));
    let n = 0;
    for await (const w of client().iterateWithdrawals()) {
      if (++n === 5) {
        assert.equal(w.id, 5);
        break;
      }
    }
    assert.equal(recorded.length, 1);
  });

  it('an error on a later page rejects the iteration after the earlier records', async () => {
    const all = Array.from({ length: 150 }, (_, i) => deposit(i + 1));
    const serve = syncList(all);
    responder = (r) => (Number(r.fields['max_id']) > 0 ? fail('100001', 'system error') : serve(r));
    const ids: number[] = [];
    await assert.rejects(async () => {
      for await (const d of client().iterateDeposits()) ids.push(d.id);
    }, (e: unknown) => e instanceof WaasError && e.code === '100001');
    assert.equal(ids.length, 100);
  });

  it('a page that does not advance past max_id throws instead of looping', async () => {
    responder = () => ok([deposit(1), deposit(2)]); // ignores max_id
    const ids: number[] = [];
    await assert.rejects(async () => {
      for await (const d of client().iterateDeposits()) ids.push(d.id);
    }, (e: unknown) => e instanceof WaasBaseError && /did not advance/.test(e.message));
    assert.deepEqual(ids, [1, 2]);
    assert.equal(recorded.length, 2);
  });
});

// ---------------------------------------------------------------------------------------------

describe('keys', () => {
  it('works with the vendor demo keys as bare base64 DER', async () => {
    const walletPublicDer = wallet.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const c = new WaasClient({ baseUrl, appId: demo.app_id, privateKey: demo.third_private_key, walletPublicKey: walletPublicDer });
    assert.equal(c.appId, demo.app_id);
    responder = () => ok({ uid: 42 });
    const t0 = Date.now();
    assert.deepEqual(await c.createUser({ country: '86', mobile: '13900139000' }), { uid: 42 });
    // The service decrypted it with the demo third_public_key.
    assert.equal(recorded[0]?.appId, demo.app_id);
    assert.deepEqual(paramsOf(recorded[0]!, t0, Date.now()), { country: '86', mobile: '13900139000' });
  });

  it('accepts PKCS#1 and PKCS#8 PEM, and KeyObjects', async () => {
    responder = () => ok({ symbol: 'ETH', balance: '1' });
    const pkcs1 = merchant.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const pkcs8 = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const spki = wallet.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    await client({ privateKey: pkcs1, walletPublicKey: spki }).getCompanyBySymbol({ symbol: 'ETH' });
    await client({ privateKey: pkcs8, walletPublicKey: wallet.publicKey }).getCompanyBySymbol({ symbol: 'ETH' });
    assert.equal(recorded.length, 2);
  });

  it('rejects unusable keys and options in the constructor', () => {
    assert.throws(() => client({ privateKey: merchant.publicKey }), (e: unknown) => e instanceof KeyParseError && e.which === 'privateKey');
    assert.throws(() => client({ walletPublicKey: 'not a key!' }), (e: unknown) => e instanceof KeyParseError && e.which === 'walletPublicKey');
    assert.throws(() => client({ segmentBytes: 246 }), RangeError);
    assert.throws(() => client({ timeoutMs: 0 }), RangeError);
    assert.throws(() => client({ baseUrl: 'localhost:8080' }), TypeError);
    assert.throws(() => client({ appId: '' }), TypeError);
  });
});
