/**
 * The per-merchant callback profile (API.md §3 "Field types in callbacks"), end to end on both
 * databases: a merchant's own HTTP endpoint receives the second-confirmation request and the
 * notification of a real withdrawal and decodes them the way Go's encoding/json decodes into a
 * typed struct — a JSON value of the wrong type for a field is an error, and a merchant whose
 * decoding failed answers FAILURE. Under the default `strings` profile a merchant decoding into
 * int64 refuses every withdrawal (120206) and one decoding into strings confirms it; under
 * `numbers` the other way round. Amounts stay strings under both; the stored outbox row keeps the
 * seeds' shape. The profile is set through the operator API and the CLI and shown in the view.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { ErrorCode, openCallback, parsePrivateKey, seal } from '@openwaas/sdk';
import { rejectsWith } from './support/assertions.js';
import { cliRunners } from './support/cli.js';
import { operatorCall } from './support/operators.js';
import { eachDatabase, startTestService, type TestMerchant, type TestService } from './support/service.js';
import { waitFor } from './ops-helpers.js';

/** A field type of a Go struct, as encoding/json checks it. */
type GoType = 'int64' | 'string';
type GoStruct = { name: string; fields: Record<string, GoType> };

/**
 * Decodes a JSON object into `struct` as Go's encoding/json does: unknown fields are ignored,
 * missing ones and null stay zero, and a value of the wrong JSON type is an error worded as Go
 * words it (an int64 takes only a JSON number that is an integer; a string only a JSON string).
 */
function goUnmarshal(value: Record<string, unknown>, struct: GoStruct): string | null {
  for (const [field, type] of Object.entries(struct.fields)) {
    const v = value[field];
    if (v === undefined || v === null) continue;
    const jsonType = typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? 'array' : 'object';
    const fits = type === 'int64' ? jsonType === 'number' && Number.isInteger(v) : jsonType === 'string';
    if (!fits) return `json: cannot unmarshal ${jsonType} into Go struct field ${struct.name}.${field} of type ${type}`;
  }
  return null;
}

/** The vendor's Go SDK's confirmation request, and the same struct as a merchant following the seeds declares it. */
const confirmStruct = (t: GoType): GoStruct => ({
  name: 'WithdrawConfirm',
  fields: { request_id: 'string', from_uid: t, to_address: 'string', amount: 'string', symbol: 'string', check_sum: 'string', time: 'int64' },
});
const notifyStruct = (t: GoType): GoStruct => ({
  name: 'Notify',
  fields: {
    side: 'string', notify_time: t, notify_id: t, id: t, request_id: 'string', uid: t, symbol: 'string', amount: 'string',
    withdraw_fee_symbol: 'string', withdraw_fee: 'string', fee_symbol: 'string', real_fee: 'string', address_from: 'string',
    address_to: 'string', txid: 'string', confirmations: t, saas_status: t, company_status: t, status: t, withdraw_type: t,
    created_at: t, updated_at: t,
  },
});

interface Received {
  path: 'confirm' | 'notify';
  payload: Record<string, unknown>;
  /** The decoding error of a merchant declaring int64 / string fields (null: decoded). */
  asInt64: string | null;
  asString: string | null;
}

/** A merchant's server: /confirm and /notify, decoding with the struct `decodes` says, answering as a Go handler would. */
async function startShop(m: TestMerchant) {
  const privateKey = parsePrivateKey(m.merchantPrivateKeyPem);
  const shop = { url: '', decodes: 'int64' as GoType, received: [] as Received[], close: async () => {} };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url === '/confirm' ? 'confirm' : 'notify';
      const { payload } = openCallback(Buffer.concat(chunks).toString('utf8'), m.walletPublicKeyPem);
      const struct = path === 'confirm' ? confirmStruct : notifyStruct;
      const got: Received = { path, payload, asInt64: goUnmarshal(payload, struct('int64')), asString: goUnmarshal(payload, struct('string')) };
      shop.received.push(got);
      const failed = shop.decodes === 'int64' ? got.asInt64 : got.asString;
      if (failed !== null) return res.end('FAILURE');
      if (path === 'notify') return res.end('SUCCESS');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: seal({ check_sum: payload['check_sum'], time: Date.now() }, privateKey) }));
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  shop.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  shop.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return shop;
}

const anAddress = '0x' + '4'.repeat(40);
let seq = 0;
const nextId = () => `cb-${++seq}-${Date.now()}`;

eachDatabase('callback profile', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true, workers: true, notifyScheduleMs: [50, 50], notifyTimeoutMs: 3_000 } });
  });
  after(() => t.close());

  const outboxRow = async (withdrawalId: number) =>
    t.ctx.store.db.selectFrom('notifications').selectAll().where('side', '=', 'withdraw').where('record_id', '=', withdrawalId).executeTakeFirst();

  it('strings by default; a Go merchant decoding int64 confirms only under numbers, one decoding strings only under strings', async () => {
    const m = await t.addMerchant({ name: 'go shop' });
    const shop = await startShop(m);
    try {
      const set = await operatorCall(t, 'PATCH', `/merchants/${m.appId}`, { body: { confirm_url: `${shop.url}/confirm`, notify_url: `${shop.url}/notify` } });
      assert.equal(set.status, 200, set.text);
      assert.equal(set.json.callback_profile, 'strings', 'the seeds\' strings are the default');
      const uid = Number((await m.client.registerEmail({ email: `${nextId()}@example.com` })).uid);
      await t.credit({ symbol: 'ETH', amount: '3', uid, merchant: m.merchant });
      const withdraw = () => m.client.withdraw({ request_id: nextId(), from_uid: String(uid), to_address: anAddress, amount: '0.5', symbol: 'ETH' });

      // strings + a Go merchant: its decoder fails on "from_uid":"3", it answers FAILURE, the withdrawal is refused.
      await rejectsWith(withdraw(), ErrorCode.ConfirmationFailed);
      const refused = shop.received.at(-1)!;
      assert.equal(refused.path, 'confirm');
      assert.equal(refused.payload['from_uid'], String(uid));
      assert.match(String(refused.asInt64), /cannot unmarshal string into Go struct field WithdrawConfirm\.from_uid of type int64/);
      assert.equal(refused.asString, null, 'a merchant decoding the seeds\' strings reads it');

      // numbers: the same merchant confirms, and its notification decodes too.
      const patched = await operatorCall(t, 'PATCH', `/merchants/${m.appId}`, { body: { callback_profile: 'numbers' } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.callback_profile, 'numbers');
      assert.equal((await operatorCall(t, 'GET', `/merchants/${m.appId}`)).json.callback_profile, 'numbers');
      const w = await withdraw();
      const confirmed = shop.received.at(-1)!;
      assert.equal(confirmed.payload['from_uid'], uid);
      assert.equal(confirmed.asInt64, null);
      assert.match(String(confirmed.asString), /cannot unmarshal number into Go struct field WithdrawConfirm\.from_uid of type string/);
      assert.equal(confirmed.payload['amount'], '0.5', 'amounts stay strings');

      await waitFor('the numbers notification delivered', async () => (await outboxRow(w.id))?.state === 'delivered');
      const note = shop.received.find((r) => r.path === 'notify' && r.payload['id'] === w.id);
      assert.ok(note, 'the notification carries its id as a number');
      assert.equal(note.asInt64, null, note.asInt64 ?? '');
      assert.match(String(note.asString), /cannot unmarshal number into Go struct field Notify\.\w+ of type string/);
      for (const field of ['id', 'uid', 'status', 'confirmations', 'saas_status', 'company_status', 'withdraw_type', 'created_at', 'updated_at', 'notify_time', 'notify_id']) {
        assert.equal(typeof note.payload[field], 'number', `${field} is a number`);
      }
      assert.equal(note.payload['uid'], uid);
      for (const field of ['amount', 'withdraw_fee', 'real_fee', 'symbol', 'request_id', 'address_to']) assert.equal(typeof note.payload[field], 'string', `${field} stays a string`);
      assert.equal(note.payload['amount'], '0.5');
      // The outbox row keeps the seeds' shape: the profile applies as it is sent.
      const stored = JSON.parse((await outboxRow(w.id))!.payload) as Record<string, unknown>;
      assert.equal(stored['id'], String(w.id));
      assert.equal(stored['status'], String(note.payload['status']));

      // Back to strings, with a merchant decoding strings: confirmed and acknowledged; an int64 decoder would fail.
      assert.equal((await operatorCall(t, 'PATCH', `/merchants/${m.appId}`, { body: { callback_profile: 'strings' } })).json.callback_profile, 'strings');
      shop.decodes = 'string';
      const w2 = await withdraw();
      const confirmedAsStrings = shop.received.filter((r) => r.path === 'confirm').at(-1)!;
      assert.equal(confirmedAsStrings.payload['from_uid'], String(uid));
      assert.equal(confirmedAsStrings.asString, null);
      assert.notEqual(confirmedAsStrings.asInt64, null);
      await waitFor('the strings notification delivered', async () => (await outboxRow(w2.id))?.state === 'delivered');
      const note2 = shop.received.find((r) => r.path === 'notify' && r.payload['id'] === String(w2.id));
      assert.ok(note2, 'the notification carries its id as a string');
      assert.equal(note2.asString, null, note2.asString ?? '');
      assert.match(String(note2.asInt64), /cannot unmarshal string into Go struct field Notify\.\w+ of type int64/);
      assert.equal(note2.payload['amount'], '0.5');
    } finally {
      await shop.close();
    }
  });

  it('the operator API refuses an unknown profile', async () => {
    const res = await operatorCall(t, 'PATCH', `/merchants/${t.appId}`, { body: { callback_profile: 'floats' } });
    assert.equal(res.status, 400, res.text);
    const created = await operatorCall(t, 'POST', '/merchants', { body: { name: 'Numbers Shop', callback_profile: 'numbers' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.callback_profile, 'numbers');
  });

  it('the CLI sets it on merchant create and merchant set, shows it, and refuses an unknown one', async () => {
    const env = () => ({ DATABASE_URL: t.database.url, OPENWAAS_INSECURE_DEV_KEYS: '1', LOG_LEVEL: 'silent', OPENWAAS_OPERATOR_TOKEN: t.operatorToken });
    const { cliHere, cliProcess } = cliRunners(env, () => process.cwd());
    // Writers run as their own process (a second SQLite writer in this one would wait on the service's lock).
    const created = await cliProcess(['merchant', 'create', '--name', 'Go Shop', '--callback-profile', 'numbers', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const appId = (JSON.parse(created.stdout) as { app_id: string; callback_profile: string }).app_id;
    assert.equal(JSON.parse(created.stdout).callback_profile, 'numbers');
    const changed = await cliProcess(['merchant', 'set', appId, '--callback-profile', 'strings', '--json']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(JSON.parse(changed.stdout).callback_profile, 'strings');
    const shown = await cliHere(['merchant', 'show', appId]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /callback_profile\s+strings/);

    const bad = await cliHere(['merchant', 'set', appId, '--callback-profile', 'floats']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--callback-profile must be one of strings, numbers, not "floats"/);
    const help = await cliHere(['merchant', 'set', '--help']);
    assert.match(help.stdout, /--callback-profile P .*strings \(default, as the API's seeds\) or numbers/s);
  });
});
