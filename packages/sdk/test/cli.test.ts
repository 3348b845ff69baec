import { spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, openText, parsePrivateKey, parsePublicKey, seal, sealText } from '../src/envelope/index.js';
import { UsageError } from '../src/cli/args.js';
import { parseParams } from '../src/cli/call.js';
import { resolveCallConfig } from '../src/cli/config.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const mainTs = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
/** tsx, resolved from here, so the child may run in any directory. */
const tsxLoader = import.meta.resolve('tsx');
/** Bound on one CLI run; a hung child fails the test instead of the suite (generous: a loaded machine starts tsx slowly). */
const runTimeoutMs = 120_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source as a real child process. */
function cli(args: string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  // The caller's WAAS_* settings must not leak into the tests.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WAAS_')));
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsxLoader, mainTs, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: runTimeoutMs,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertExit(run: Run, code: number, what: string): void {
  assert.equal(run.code, code, `${what}: exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

let dir: string;
let keygenRun: Run;
let merchantPrivatePath: string;
let merchantPublicPath: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openwaas-cli-'));
  keygenRun = await cli(['keygen', '--out', join(dir, 'keys')]);
  merchantPrivatePath = join(dir, 'keys', 'merchant-private.pem');
  merchantPublicPath = join(dir, 'keys', 'merchant-public.pem');
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('keygen', { concurrency: true }, () => {
  test('writes a parseable 2048-bit PKCS#8 private key (mode 0600) and SPKI public key, prints the base64 to register', () => {
    assertExit(keygenRun, 0, 'keygen');
    const privatePem = readFileSync(merchantPrivatePath, 'utf8');
    const publicPem = readFileSync(merchantPublicPath, 'utf8');
    assert.match(privatePem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(publicPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.equal(statSync(merchantPrivatePath).mode & 0o777, 0o600);
    const privateKey = parsePrivateKey(privatePem);
    const publicKey = parsePublicKey(publicPem);
    assert.equal(privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    const spki = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).toString('base64');
    assert.equal(spki(createPublicKey(privateKey)), spki(publicKey), 'the two files are one pair');
    assert.ok(keygenRun.stdout.includes(merchantPrivatePath));
    assert.ok(keygenRun.stdout.includes(merchantPublicPath));
    const lastLine = keygenRun.stdout.trim().split('\n').at(-1) ?? '';
    assert.equal(lastLine, spki(publicKey), 'prints the bare base64 public key');
    assert.equal(spki(parsePublicKey(lastLine)), spki(publicKey));
  });

  test('refuses to overwrite existing files unless --force', async () => {
    const out = join(dir, 'overwrite');
    assertExit(await cli(['keygen', '--out', out, '--name', 'shop']), 0, 'first keygen');
    const privatePath = join(out, 'shop-private.pem');
    const before = readFileSync(privatePath, 'utf8');

    const refused = await cli(['keygen', '--out', out, '--name', 'shop']);
    assertExit(refused, 2, 'second keygen');
    assert.match(refused.stderr, /refusing to overwrite .*shop-private\.pem/);
    assert.match(refused.stderr, /--force/);
    assert.equal(readFileSync(privatePath, 'utf8'), before, 'untouched');

    const forced = await cli(['keygen', '--out', out, '--name', 'shop', '--force']);
    assertExit(forced, 0, 'keygen --force');
    const after = readFileSync(privatePath, 'utf8');
    assert.notEqual(after, before);
    assert.equal(statSync(privatePath).mode & 0o777, 0o600);
    parsePrivateKey(after);
  });

  test('writes the names the sandbox writes; a pair under the former names (NAME_private.pem) is an existing pair', async () => {
    assert.ok(keygenRun.stdout.includes(join(dir, 'keys', 'merchant-private.pem')));
    const out = join(dir, 'former-names');
    mkdirSync(out, { recursive: true });
    const old = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const oldPrivatePem = old.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    writeFileSync(join(out, 'merchant_private.pem'), oldPrivatePem, { mode: 0o600 });
    writeFileSync(join(out, 'merchant_public.pem'), old.publicKey.export({ format: 'pem', type: 'spki' }));

    const refused = await cli(['keygen', '--out', out]);
    assertExit(refused, 2, 'keygen beside a former-name pair');
    assert.match(refused.stderr, /refusing to overwrite .*merchant_private\.pem and .*merchant_public\.pem \(use --force/);
    assert.equal(readFileSync(join(out, 'merchant_private.pem'), 'utf8'), oldPrivatePem, 'untouched');
    assert.throws(() => statSync(join(out, 'merchant-private.pem')), /ENOENT/, 'nothing written');

    const forced = await cli(['keygen', '--out', out, '--force']);
    assertExit(forced, 0, 'keygen --force');
    // One pair in the folder afterwards, under the current names.
    const spki = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).toString('base64');
    assert.equal(spki(createPublicKey(parsePrivateKey(readFileSync(join(out, 'merchant-private.pem'), 'utf8')))), spki(parsePublicKey(readFileSync(join(out, 'merchant-public.pem'), 'utf8'))));
    assert.throws(() => statSync(join(out, 'merchant_private.pem')), /ENOENT/);
    assert.throws(() => statSync(join(out, 'merchant_public.pem')), /ENOENT/);
  });

  test('bad options exit 2', async () => {
    const runs = await Promise.all([
      cli(['keygen', '--bits', '1024', '--out', join(dir, 'small')]),
      cli(['keygen', '--name', '../escape', '--out', join(dir, 'escape')]),
    ]);
    assertExit(runs[0]!, 2, '--bits 1024');
    assert.match(runs[0]!.stderr, /--bits must be one of 2048, 3072, 4096/);
    assertExit(runs[1]!, 2, '--name ../escape');
    assert.match(runs[1]!.stderr, /--name/);
  });
});

describe('encrypt and decrypt', { concurrency: true }, () => {
  const payload = JSON.stringify({ uid: 12345, memo: '钱包🚀'.repeat(60), note: 'Grüße' });

  test('a key path under the current name reads the file under its former name when only that exists, and says so', async () => {
    const keys = join(dir, 'former-only');
    mkdirSync(keys, { recursive: true });
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(keys, 'shop_private.pem'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    writeFileSync(join(keys, 'shop_public.pem'), pair.publicKey.export({ format: 'pem', type: 'spki' }));

    const encrypted = await cli(['encrypt', '--key', join(keys, 'shop-private.pem')], { input: payload });
    assertExit(encrypted, 0, 'encrypt with the former name on disk');
    assert.equal(openText(encrypted.stdout.trim(), pair.publicKey), payload);
    assert.equal(encrypted.stderr, `openwaas-sdk encrypt: reading ${join(keys, 'shop_private.pem')}: shop-private.pem does not exist there (rename the file to its current name to silence this)\n`);
    const decrypted = await cli(['decrypt', '--key', join(keys, 'shop-public.pem')], { input: encrypted.stdout });
    assertExit(decrypted, 0, 'decrypt with the former name on disk');
    assert.equal(decrypted.stdout, payload + '\n');
    assert.match(decrypted.stderr, /reading .*shop_public\.pem: shop-public\.pem does not exist there/);

    // call's configuration too; the current name wins when both exist, and other names have no fallback.
    const notes: string[] = [];
    const base = { WAAS_BASE_URL: 'http://127.0.0.1:1', WAAS_APP_ID: 'app', WAAS_WALLET_PUBLIC_KEY: join(keys, 'shop-public.pem') };
    const config = resolveCallConfig({ configPath: undefined, flags: {}, note: (text) => notes.push(text) }, { ...base, WAAS_PRIVATE_KEY: 'shop-private.pem' }, keys, 'call');
    assert.equal(parsePrivateKey(config.privateKey).export({ format: 'pem', type: 'pkcs8' }), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    assert.equal(notes.length, 2, notes.join('\n'));
    assert.match(notes[0]!, /shop_private\.pem/);
    writeFileSync(join(keys, 'shop-public.pem'), readFileSync(merchantPublicPath));
    const current = resolveCallConfig({ configPath: undefined, flags: {} }, { ...base, WAAS_PRIVATE_KEY: join(keys, 'shop_private.pem') }, keys, 'call');
    assert.equal(current.walletPublicKey, readFileSync(merchantPublicPath, 'utf8'), 'the current name, when it exists, is the one read');
    assertUsage(() => resolveCallConfig({ configPath: undefined, flags: {} }, { ...base, WAAS_PRIVATE_KEY: 'shop.pem' }, keys, 'call'), /"shop\.pem" is neither a key file nor a key/);
  });

  test('encrypt | decrypt round trip with the keygen keys, through stdin', async () => {
    const encrypted = await cli(['encrypt', '--key', merchantPrivatePath], { input: payload + '\n' });
    assertExit(encrypted, 0, 'encrypt');
    const envelope = encrypted.stdout.trim();
    assert.match(envelope, /^[A-Za-z0-9_-]+$/);
    // The library agrees, and the trailing line break of stdin was not encrypted.
    assert.equal(openText(envelope, parsePublicKey(readFileSync(merchantPublicPath, 'utf8'))), payload);
    assert.equal(envelope, sealText(payload, parsePrivateKey(readFileSync(merchantPrivatePath, 'utf8'))));

    const [plain, pretty] = await Promise.all([
      cli(['decrypt', '--key', merchantPublicPath], { input: encrypted.stdout }),
      cli(['decrypt', '-k', merchantPublicPath, '--pretty'], { input: envelope.replace(/(.{76})/g, '$1\r\n') }),
    ]);
    assertExit(plain, 0, 'decrypt');
    assert.equal(plain.stdout, payload + '\n');
    assertExit(pretty, 0, 'decrypt --pretty');
    assert.equal(pretty.stdout, JSON.stringify(JSON.parse(payload), null, 2) + '\n');
  });

  test('encrypt --segment 245 decrypts the same; --segment too large for the key exits 2', async () => {
    const [encrypted, tooLarge] = await Promise.all([
      cli(['encrypt', '--key', merchantPrivatePath, '--segment', '245'], { input: payload }),
      cli(['encrypt', '--key', merchantPrivatePath, '--segment', '246'], { input: payload }),
    ]);
    assertExit(encrypted, 0, 'encrypt --segment 245');
    assert.equal(openText(encrypted.stdout, parsePublicKey(readFileSync(merchantPublicPath, 'utf8'))), payload);
    assertExit(tooLarge, 2, '--segment 246');
    assert.match(tooLarge.stderr, /--segment must be a whole number from 1 to 245/);
  });

  test('decrypt of a vendor vector with the wallet public key (bare base64 file)', async () => {
    const keys = JSON.parse(readFileSync(new URL('fixtures/demo-keys.json', import.meta.url), 'utf8')) as Record<string, string>;
    const { vectors } = JSON.parse(readFileSync(new URL('fixtures/seed-examples.json', import.meta.url), 'utf8')) as {
      vectors: Array<{ ciphertext: string; decrypt_with: string; plaintext: string }>;
    };
    const vector = vectors.find((v) => v.decrypt_with === 'wallet_public_key' && /\s/.test(v.ciphertext));
    assert.ok(vector, 'a wallet vector with whitespace');
    const keyFile = join(dir, 'wallet_public.b64');
    writeFileSync(keyFile, keys['wallet_public_key'] + '\n');
    const plain = await cli(['decrypt', '--key', keyFile], { input: vector.ciphertext });
    assertExit(plain, 0, 'decrypt vector');
    assert.equal(plain.stdout, vector.plaintext + '\n');
  });

  test('garbage or the wrong key exits 1 with the reason', async () => {
    const [garbage, wrongKey] = await Promise.all([
      cli(['decrypt', '--key', merchantPublicPath], { input: 'not an envelope!' }),
      cli(['decrypt', '--key', merchantPublicPath], { input: sealText('{}', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey) }),
    ]);
    assertExit(garbage, 1, 'garbage');
    assert.match(garbage.stderr, /^error: data is not base64url/);
    assertExit(wrongKey, 1, 'wrong key');
    assert.match(wrongKey.stderr, /^error: data does not decrypt with this public key/);
  });

  test('a public key given to encrypt exits 1 naming the key', async () => {
    const run = await cli(['encrypt', '--key', merchantPublicPath], { input: '{}' });
    assertExit(run, 1, 'encrypt with a public key');
    assert.match(run.stderr, /cannot parse --key .*merchant-public\.pem: it is a public key/);
  });
});

// ---------------------------------------------------------------------------------------------
// call, against a real local HTTP server speaking the envelope
// ---------------------------------------------------------------------------------------------

interface Seen {
  method: string;
  path: string;
  appId: string | null;
  fields: Record<string, unknown>;
}

describe('call', { concurrency: true }, () => {
  const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const wallet = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const walletPublicPath = () => join(dir, 'wallet_public.pem');
  const seen: Seen[] = [];
  let server: Server;
  let baseUrl: string;

  async function body(req: IncomingMessage): Promise<string> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return text;
  }

  before(async () => {
    writeFileSync(walletPublicPath(), wallet.publicKey.export({ format: 'pem', type: 'spki' }));
    const merchantPublic = parsePublicKey(readFileSync(merchantPublicPath, 'utf8'));
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const form = req.method === 'POST' ? new URLSearchParams(await body(req)) : url.searchParams;
      const answer = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      let fields: Record<string, unknown>;
      try {
        fields = open<Record<string, unknown>>(form.get('data') ?? '', merchantPublic);
      } catch {
        answer(200, { code: '100005', msg: 'signature verification failed' });
        return;
      }
      seen.push({ method: req.method ?? '', path: url.pathname, appId: form.get('app_id'), fields });
      if (form.get('app_id') !== appId) return answer(200, { code: '100015', msg: 'merchant id (app_id) is invalid' });
      if (fields['uid'] === 'slow') return; // never answers: the client's timeout must fire
      const reply =
        fields['uid'] === '404'
          ? { code: '110065', msg: 'user does not exist' }
          : {
              code: '0',
              msg: 'success',
              data: { uid: Number(fields['uid']), symbol: fields['symbol'], normal_balance: '1.5', lock_balance: '0', memo: '余额 ✓' },
            };
      answer(200, { data: seal(reply, wallet.privateKey) });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const envConfig = (): Record<string, string> => ({
    WAAS_BASE_URL: baseUrl,
    WAAS_APP_ID: appId,
    // Key text on one line, its line breaks written "\n" as .env files do.
    WAAS_PRIVATE_KEY: readFileSync(merchantPrivatePath, 'utf8').replace(/\n/g, '\\n'),
    // Key text, not a path: bare base64 DER.
    WAAS_WALLET_PUBLIC_KEY: wallet.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  });

  test('by name with env config: prints the decrypted payload; the server got the params', async () => {
    const run = await cli(['call', 'getByUidAndSymbol', 'uid=12345', 'symbol=ETH'], { env: envConfig() });
    assertExit(run, 0, 'call');
    assert.deepEqual(JSON.parse(run.stdout), { uid: 12345, symbol: 'ETH', normal_balance: '1.5', lock_balance: '0', memo: '余额 ✓' });
    const request = seen.find((s) => s.fields['uid'] === '12345');
    assert.ok(request, 'the server saw the request');
    assert.equal(request.path, '/api/v2/account/getByUidAndSymbol');
    assert.equal(request.appId, appId);
    assert.equal(request.fields['symbol'], 'ETH');
    assert.equal(request.fields['version'], 'v2');
    assert.equal(request.fields['charset'], 'utf-8');
    assert.ok(Number(request.fields['time']) > 1_600_000_000_000);
  });

  test('by path with --config (relative key paths), flags overriding it and it overriding env', async () => {
    const configPath = join(dir, 'keys', 'waas.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        baseUrl: 'http://127.0.0.1:1', // overridden by --base-url
        appId,
        privateKey: 'merchant-private.pem', // relative to the config file
        walletPublicKey: walletPublicPath(),
        timeoutMs: 10_000,
      }),
    );
    const run = await cli(
      ['call', '/account/getByUidAndSymbol', 'uid:=777', 'symbol=BTC', '--config', configPath, '--base-url', baseUrl],
      { env: { WAAS_APP_ID: 'overridden-by-config' }, cwd: tmpdir() },
    );
    assertExit(run, 0, 'call --config');
    assert.equal(JSON.parse(run.stdout).symbol, 'BTC');
    const request = seen.find((s) => s.fields['uid'] === 777);
    assert.ok(request, 'uid:=777 is sent as a JSON number');
    assert.equal(request.appId, appId);
  });

  test('the service answers an error code: exit 1, "error <code>: <msg>" on stderr', async () => {
    const run = await cli(['call', 'getByUidAndSymbol', 'uid=404', 'symbol=ETH'], { env: envConfig() });
    assertExit(run, 1, 'call answering 110065');
    assert.equal(run.stderr, 'error 110065: user does not exist\n');
    assert.equal(run.stdout, '');
  });

  test('an unknown app_id (plain 4xx error before the envelope) and a timeout exit 1', async () => {
    const [unknownApp, slow] = await Promise.all([
      cli(['call', 'getCoinList', '--app-id', 'nobody'], { env: envConfig() }),
      cli(['call', 'getByUidAndSymbol', 'uid=slow', 'symbol=ETH', '--timeout-ms', '300'], { env: envConfig() }),
    ]);
    assertExit(unknownApp, 1, 'unknown app_id');
    assert.match(unknownApp.stderr, /^error 100015: /);
    assertExit(slow, 1, 'timeout');
    assert.match(slow.stderr, /^error: request timed out after 300 ms/);
  });

  test('bad usage and configuration exit 2 with a helpful message', async () => {
    const env = envConfig();
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['call'], env, /which endpoint/],
      [['call', 'noSuchEndpoint'], env, /unknown endpoint "noSuchEndpoint"; one of: createUser/],
      [['call', 'getByUidAndSymbol', 'uid'], env, /parameter "uid" is not key=value/],
      [['call', 'getCoinList'], {}, /missing configuration:\n {2}baseUrl: set WAAS_BASE_URL/],
      [['call', 'getCoinList', '--timeout-ms', 'soon'], env, /timeoutMs \(--timeout-ms\) must be a whole number/],
      [['call', 'getCoinList', '--private-key', join(dir, 'nope.pem')], env, /privateKey \(--private-key\): ".*nope\.pem" is neither a key file nor a key/],
      [['encrypt'], {}, /--key FILE is required/],
      [['frobnicate'], {}, /unknown command "frobnicate"/],
      [['keygen', '--colour'], {}, /Unknown option '--colour'[^]*openwaas-sdk keygen --help/],
      [[], {}, /Usage: openwaas-sdk <command>/],
    ];
    const runs = await Promise.all(cases.map(([args, runEnv]) => cli(args, { env: runEnv })));
    runs.forEach((run, i) => {
      const [args, , message] = cases[i]!;
      assertExit(run, 2, args.join(' ') || '(no arguments)');
      assert.match(run.stderr, message, args.join(' '));
      assert.equal(run.stdout, '', 'nothing on stdout');
    });
  });

  test('--help for every command exits 0', async () => {
    const helps: Array<[string[], RegExp]> = [
      [['--help'], /Usage: openwaas-sdk <command>[^]*keygen[^]*encrypt[^]*decrypt[^]*call/],
      [['keygen', '--help'], /Usage: openwaas-sdk keygen[^]*--force/],
      [['decrypt', '-h'], /Usage: openwaas-sdk decrypt[^]*--pretty/],
      [['call', 'getCoinList', '--help'], /Usage: openwaas-sdk call[^]*WAAS_PRIVATE_KEY[^]*getByUidAndSymbol/],
    ];
    const runs = await Promise.all(helps.map(([args]) => cli(args)));
    runs.forEach((run, i) => {
      const [args, pattern] = helps[i]!;
      assertExit(run, 0, args.join(' '));
      assert.match(run.stdout, pattern);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// call's parameters and configuration, in process (no child needed)
// ---------------------------------------------------------------------------------------------

function assertUsage(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof UsageError && message.test(error.message));
}

describe('call parameters and configuration', () => {
  test('key=value gives strings, key:=json gives JSON values; mistakes are usage errors', () => {
    assert.deepEqual(parseParams(['uid=12', 'symbol=ETH', 'memo=a=b', 'n:=12', 'ids:=[1,2]', 'ok:=true', 'empty='], 'call'), {
      uid: '12',
      symbol: 'ETH',
      memo: 'a=b',
      n: 12,
      ids: [1, 2],
      ok: true,
      empty: '',
    });
    assertUsage(() => parseParams(['uid=1', 'uid=2'], 'call'), /"uid" is given twice/);
    assertUsage(() => parseParams(['ids:=[1,'], 'call'), /"ids:=" is not JSON/);
    assertUsage(() => parseParams(['=x'], 'call'), /is not key=value/);
    assertUsage(() => parseParams([':=1'], 'call'), /has no key/);
    assertUsage(() => parseParams(Array.from({ length: 101 }, (_, i) => `k${i}=v`), 'call'), /at most 100/);
  });

  test('env < --config < flags; key paths in the config file are relative to it; "\\n" in PEM text is restored', () => {
    const configDir = join(dir, 'config-test');
    const configPath = join(configDir, 'waas.json');
    mkdirSync(configDir, { recursive: true });
    const privatePem = readFileSync(merchantPrivatePath, 'utf8');
    writeFileSync(join(configDir, 'wallet.pem'), readFileSync(merchantPublicPath));
    writeFileSync(configPath, JSON.stringify({ baseUrl: 'http://file.example', appId: 'from-file', walletPublicKey: 'wallet.pem', timeoutMs: 5000 }));
    const env = {
      WAAS_BASE_URL: 'http://env.example',
      WAAS_APP_ID: 'from-env',
      WAAS_PRIVATE_KEY: privatePem.replace(/\n/g, '\\n'),
      WAAS_WALLET_PUBLIC_KEY: 'no-such-file.pem',
      WAAS_TIMEOUT_MS: '1',
    };
    const config = resolveCallConfig({ configPath, flags: { baseUrl: 'http://flag.example' } }, env, tmpdir(), 'call');
    assert.equal(config.baseUrl, 'http://flag.example');
    assert.equal(config.appId, 'from-file');
    assert.equal(config.timeoutMs, 5000);
    assert.equal(config.privateKey, privatePem, 'line breaks restored');
    assert.equal(config.walletPublicKey, readFileSync(merchantPublicPath, 'utf8'));
    assert.deepEqual(config.origin, {
      baseUrl: '--base-url',
      appId: `"appId" in ${configPath}`,
      privateKey: 'WAAS_PRIVATE_KEY',
      walletPublicKey: `"walletPublicKey" in ${configPath}`,
      timeoutMs: `"timeoutMs" in ${configPath}`,
    });
  });

  test('configuration mistakes are usage errors that say where the value came from', () => {
    const base = { WAAS_BASE_URL: 'http://127.0.0.1:1', WAAS_APP_ID: 'app', WAAS_PRIVATE_KEY: merchantPrivatePath, WAAS_WALLET_PUBLIC_KEY: merchantPublicPath };
    const resolveWith = (env: Record<string, string>, flags: Record<string, string> = {}, configPath?: string) =>
      resolveCallConfig({ configPath, flags }, env, dir, 'call');
    assert.equal(resolveWith(base).appId, 'app');
    assertUsage(() => resolveWith({}), /missing configuration:\n {2}baseUrl: [^]* {2}appId: [^]* {2}privateKey: [^]* {2}walletPublicKey: set WAAS_WALLET_PUBLIC_KEY/);
    assertUsage(() => resolveWith(base, { appId: ' ' }), /appId \(--app-id\) is empty/);
    assertUsage(() => resolveWith({ ...base, WAAS_BASE_URL: 'ftp://x' }), /baseUrl \(WAAS_BASE_URL\) must be an http\(s\) URL/);
    assertUsage(() => resolveWith({ ...base, WAAS_TIMEOUT_MS: '0' }), /timeoutMs \(WAAS_TIMEOUT_MS\) must be a whole number of ms from 1/);
    assertUsage(() => resolveWith({ ...base, WAAS_PRIVATE_KEY: 'keys/typo.pem' }), /privateKey \(WAAS_PRIVATE_KEY\): "keys\/typo\.pem" is neither a key file nor a key/);
    assertUsage(() => resolveWith(base, {}, 'missing.json'), /cannot read --config .*missing\.json: ENOENT/);
    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, '{"baseUrl": ');
    assertUsage(() => resolveWith(base, {}, badJson), /is not JSON/);
    const unknownKey = join(dir, 'unknown.json');
    writeFileSync(unknownKey, JSON.stringify({ baseURL: 'http://x' }));
    assertUsage(() => resolveWith(base, {}, unknownKey), /unknown key "baseURL" \(known: baseUrl, appId/);
  });
});
