/**
 * A full run as an operator does it — `keys init` (imported mnemonic), migrate, merchant and coin
 * set-up with the CLI (JSON and human output), `serve` with the key store, users, a deposit
 * address, a credit through the operator API, a confirmed withdrawal, operator API reads, audit
 * — then every byte it left behind is searched for secrets: the SQLite file and its -wal, every
 * log line, every CLI and operator API answer. None holds a merchant's wallet private key (PEM
 * lines, base64 chunks, DER bytes), the operator token, the passphrase, the mnemonic (whole or
 * any 3 consecutive words), the HD seed or the data key.
 */
import { totpCodeAt, totpSecretOf } from './support/operators.js';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { english, generateMnemonic } from 'viem/accounts';
import { createConfirmationResponder, toNodeHttpHandler, WaasClient, WithdrawStatus } from '@openwaas/sdk';
import { merchantWalletKey } from '../src/modules/merchants/index.js';
import { fixedDataKey } from '../src/keys/data-key.js';
import { openKeystore } from '../src/keys/keystore.js';
import { openStore } from '../src/store/db.js';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('no secret in the database file, the logs or any answer of a full run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openwaas-grep-'));
  const dbPath = join(dir, 'data', 'openwaas.sqlite');
  const keystorePath = join(dir, 'keystore.json');
  const passphrase = randomBytes(18).toString('base64url');
  /** The API token of the first admin, printed once by `operator add`. */
  let operatorToken = '';
  let enrolment = { password: '', otpauth_uri: '' };
  let sessionToken = '';
  const mnemonic = generateMnemonic(english, 256);
  const merchantPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const merchantKeyFile = join(dir, 'merchant-public.pem');
  /** Everything the run printed or answered. */
  const said: string[] = [];
  const { OPENWAAS_CONFIG: _c, OPENWAAS_KEYSTORE: _k, OPENWAAS_KEY_PASSPHRASE: _p, OPENWAAS_INSECURE_DEV_KEYS: _i, OPENWAAS_HD_MNEMONIC: _m, OPENWAAS_CHAINS: _ch, DATABASE_URL: _d, LOG_LEVEL: _l, OPENWAAS_OPERATOR_TOKEN: _t, ...inherited } = process.env;
  const env = { ...inherited, DATABASE_URL: dbPath, OPENWAAS_KEYSTORE: keystorePath, OPENWAAS_KEY_PASSPHRASE: passphrase, OPENWAAS_OPERATOR_API: '1', OPENWAAS_RSA_WORKERS: '1', LOG_LEVEL: 'debug' } as NodeJS.ProcessEnv;
  let serve: ReturnType<typeof spawn> | undefined;
  let serveOut = '';
  let confirmServer: Server;

  function cli(args: string[], input = ''): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, main, ...args], { env, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => {
        said.push(stdout, stderr);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(input);
    });
  }
  const ok = (r: Run) => {
    assert.equal(r.code, 0, r.stderr);
    return r;
  };
  const json = (r: Run) => JSON.parse(ok(r).stdout) as Record<string, unknown>;
  async function operator(path: string, init: RequestInit = {}): Promise<unknown> {
    const res = await fetch(`${operatorUrl}${path}`, { ...init, headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json', ...init.headers } });
    const text = await res.text();
    said.push(text);
    assert.equal(res.status, 200, text);
    return JSON.parse(text);
  }
  let serveUrl = '';
  let operatorUrl = '';

  before(async () => {
    writeFileSync(merchantKeyFile, merchantPair.publicKey.export({ type: 'spki', format: 'pem' }));
  });
  after(async () => {
    if (serve && serve.exitCode === null) {
      serve.kill('SIGTERM');
      await new Promise((r) => serve!.once('exit', r));
    }
    await new Promise<void>((r) => (confirmServer ? confirmServer.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the flow, then finds no secret anywhere', async () => {
    const init = json(await cli(['keys', 'init', '--mnemonic-from-stdin', '--json'], mnemonic));
    assert.equal(init.generated, false);
    ok(await cli(['migrate']));
    // The first admin, from the host: its password, TOTP enrolment and API token are printed this once.
    const first = json(await cli(['operator', 'add', 'root', '--role', 'admin', '--json'])) as { password: string; otpauth_uri: string; api_token: string };
    said.splice(said.length - 2, 1); // the one-time display itself
    enrolment = first;
    operatorToken = first.api_token;
    env.OPENWAAS_OPERATOR_TOKEN = operatorToken;
    ok(await cli(['operator', 'list']));
    const shop = json(await cli(['merchant', 'create', '--name', 'Shop', '--merchant-key', merchantKeyFile, '--json'])) as { app_id: string; rsa_wallet_pub: string };
    ok(await cli(['merchant', 'create', '--name', 'Second Shop']));
    ok(await cli(['coin', 'add', 'ETH', '--chain', 'evm:31337', '--decimals', '18', '--fee', '0.001', '--min-withdraw', '0.01', '--auto-approve-max', '5', '--json']));
    ok(await cli(['coin', 'enable', shop.app_id, 'ETH']));

    // The merchant's second-confirmation endpoint, approving everything.
    const respond = toNodeHttpHandler(
      createConfirmationResponder({ walletPublicKey: shop.rsa_wallet_pub, privateKey: merchantPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), approveWithdraw: () => true }),
    );
    confirmServer = createServer(respond);
    await new Promise<void>((r) => confirmServer.listen(0, '127.0.0.1', r));
    ok(await cli(['merchant', 'set', shop.app_id, '--confirm-url', `http://127.0.0.1:${(confirmServer.address() as AddressInfo).port}/confirm`, '--json']));

    serve = spawn(process.execPath, ['--conditions=source', '--import', tsx, main, 'serve', '--host', '127.0.0.1', '--port', '0', '--operator-port', '0', '--json'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout!.on('data', (d) => (serveOut += d));
    serve.stderr!.on('data', (d) => (serveOut += d));
    const until = Date.now() + 120_000;
    while (!serveUrl && Date.now() < until) {
      const line = serveOut.split('\n').find((l) => l.startsWith('{') && l.includes('"url"'));
      if (line) ({ url: serveUrl, operator: operatorUrl } = JSON.parse(line) as { url: string; operator: string });
      else if (serve.exitCode !== null) assert.fail(`serve exited: ${serveOut}`);
      else await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(serveUrl, serveOut);

    const client = new WaasClient({ baseUrl: serveUrl, appId: shop.app_id, privateKey: merchantPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), walletPublicKey: shop.rsa_wallet_pub });
    const alice = await client.registerEmail({ email: 'alice@example.com' });
    const bob = await client.registerEmail({ email: 'bob@example.com' });
    const { address } = await client.getDepositAddress({ uid: bob.uid, symbol: 'ETH' });
    said.push(JSON.stringify([alice, bob, address]));
    await operator('/balances/credit', { method: 'POST', body: JSON.stringify({ uid: alice.uid, symbol: 'ETH', amount: '1', reason: 'deposit' }) });
    const w = await client.withdraw({ request_id: 'grep-1', from_uid: alice.uid, to_address: address, amount: '0.5', symbol: 'ETH' });
    assert.equal(w.status, WithdrawStatus.Succeeded);
    said.push(JSON.stringify(w), JSON.stringify(await client.withdrawList({ ids: 'grep-1' })), JSON.stringify(await client.getByUidAndSymbol({ uid: bob.uid, symbol: 'ETH' })));
    await operator('/merchants');
    await operator('/audit');
    // A login: its answer carries the session (the one-time display); every later use must not.
    const login = await fetch(`${operatorUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'root', password: enrolment.password, totp: totpCodeAt(enrolment.otpauth_uri, Date.now()) }),
    });
    assert.equal(login.status, 200);
    sessionToken = ((await login.json()) as { token: string }).token;
    said.push(JSON.stringify(await (await fetch(`${operatorUrl}/auth/me`, { headers: { authorization: `Bearer ${sessionToken}` } })).json()));
    const wrong = await fetch(`${operatorUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'root', password: `${enrolment.password}x`, totp: '000000' }) });
    said.push(await wrong.text());
    ok(await cli(['operator', 'token', 'list']));
    ok(await cli(['merchant', 'list']));
    ok(await cli(['merchant', 'list', '--json']));
    ok(await cli(['merchant', 'show', shop.app_id]));
    ok(await cli(['audit', '--json']));
    ok(await cli(['keys', 'show-addresses', '--deposit', '2', '--json']));

    // The files while the service runs (the -wal holds the recent writes), and after it stops.
    const files = () => [dbPath, `${dbPath}-wal`].filter((f) => existsSync(f)).map((f) => ({ f, bytes: readFileSync(f) }));
    const whileRunning = files();
    serve.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
    said.push(serveOut);
    const afterStop = files();

    // The secrets, from the key store (the test may open it) and the database.
    const { dataKey } = await openKeystore({ path: keystorePath, passphrase });
    const store = openStore(dbPath);
    const rows = await store.db.selectFrom('merchants').select(['app_id', 'wallet_private_key']).execute();
    const walletPems = await Promise.all(rows.map((r) => merchantWalletKey(fixedDataKey(dataKey), r)));
    await store.close();
    assert.equal(walletPems.length, 2);

    const needles: Array<{ what: string; value: string | Buffer }> = [];
    for (const [i, p] of walletPems.entries()) {
      const body = p.split('\n').filter((l) => l && !l.startsWith('-----'));
      for (const line of body) needles.push({ what: `wallet key ${i} PEM line`, value: line });
      const b64 = body.join('');
      for (let at = 0; at + 24 <= b64.length; at += 24) needles.push({ what: `wallet key ${i} base64 chunk`, value: b64.slice(at, at + 24) });
      const der = createPrivateKey(p).export({ type: 'pkcs8', format: 'der' });
      for (let at = 0; at + 32 <= der.length; at += 32) needles.push({ what: `wallet key ${i} DER bytes`, value: der.subarray(at, at + 32) });
    }
    needles.push(
      { what: 'operator API token', value: operatorToken },
      { what: 'operator session token', value: sessionToken },
      { what: 'operator password', value: enrolment.password },
      { what: 'operator TOTP secret', value: new URL(enrolment.otpauth_uri).searchParams.get('secret')! },
      { what: 'operator TOTP secret bytes', value: totpSecretOf(enrolment.otpauth_uri) },
    );
    needles.push({ what: 'passphrase', value: passphrase }, { what: 'mnemonic', value: mnemonic });
    const words = mnemonic.split(' ');
    for (let i = 0; i + 3 <= words.length; i++) needles.push({ what: `mnemonic words ${i}-${i + 2}`, value: words.slice(i, i + 3).join(' ') });
    const seed = pbkdf2Sync(mnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512');
    needles.push({ what: 'seed hex', value: seed.toString('hex') }, { what: 'seed hex (first half)', value: seed.subarray(0, 32).toString('hex') }, { what: 'seed bytes', value: seed.subarray(0, 32) });
    const raw = dataKey.exportRaw();
    needles.push({ what: 'data key hex', value: raw.toString('hex') }, { what: 'data key base64', value: raw.toString('base64') }, { what: 'data key bytes', value: raw });

    const haystacks = [
      ...said.map((text, i) => ({ where: `output ${i}`, bytes: Buffer.from(text, 'utf8') })),
      ...[...whileRunning, ...afterStop].map(({ f, bytes }) => ({ where: f, bytes })),
    ];
    assert.ok(said.join('').includes(shop.app_id), 'the outputs were captured');
    assert.ok(serveOut.includes('"level"'), 'the service logged');
    // The search works: the wallet's public key is in the database and in the answers.
    const publicLine = Buffer.from(shop.rsa_wallet_pub.split('\n')[1]!, 'utf8');
    assert.ok(haystacks.some((h) => h.where === dbPath && h.bytes.includes(publicLine)) || haystacks.some((h) => h.where.endsWith('-wal') && h.bytes.includes(publicLine)));
    assert.ok(haystacks.some((h) => h.where.startsWith('output') && h.bytes.includes(publicLine)));
    const found: string[] = [];
    for (const n of needles) {
      const value = typeof n.value === 'string' ? Buffer.from(n.value, 'utf8') : n.value;
      for (const h of haystacks) if (h.bytes.includes(value)) found.push(`${n.what} in ${h.where}`);
    }
    assert.deepEqual(found, []);
  });
});
