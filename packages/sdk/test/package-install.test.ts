/**
 * The SDK as a merchant gets it: `npm pack` the package, install the tarball into a fresh app
 * outside this repository (offline: the SDK has no dependencies), and use it there from
 * CommonJS (`require`), from an ES module (`import`), from TypeScript (types read from the
 * tarball), through its `openwaas-sdk` bin, and with the quickstart example — each against a
 * real service on loopback.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
/** tsx, resolved from here, so a child in the app can run a .ts file. */
const tsxLoader = import.meta.resolve('tsx');
/** Bound on one child process: a hung one fails its test instead of the suite (generous: the machine may be loaded). */
const runTimeoutMs = 120_000;

/** What this test uses of the server's test service. */
interface Service {
  baseUrl: string;
  appId: string;
  merchantPrivateKeyPem: string;
  walletPublicKeyPem: string;
  close(): Promise<void>;
}
interface ServiceSupport {
  startTestService(options: { kind: 'sqlite' }): Promise<Service>;
  enabledSymbolsDefault: string[];
}
// Loaded at run time rather than imported: the SDK is compiled on its own (its typecheck never
// pulls in the server that depends on it).
const serviceSupportUrl = new URL('../../server/test/support/service.ts', import.meta.url).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let work: string;
let app: string;
let service: Service;
let enabledSymbols: string[];
/** The environment of every child: nothing inherited beyond PATH (no npm_*, NODE_OPTIONS or test-runner variables). */
let baseEnv: Record<string, string>;

function run(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<Run> {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...baseEnv, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: runTimeoutMs });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertExit(result: Run, code: number, what: string): void {
  assert.equal(result.code, code, `${what}: exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

/** The service's settings for a child, as a merchant app would get them. */
function serviceEnv(): Record<string, string> {
  return { WAAS_BASE_URL: service.baseUrl, WAAS_APP_ID: service.appId, WAAS_PRIVATE_KEY: service.merchantPrivateKeyPem, WAAS_WALLET_PUBLIC_KEY: service.walletPublicKeyPem };
}

/** The first ```js block under the README's `## heading`: the README's programs are run and type-checked as written. */
function readmeProgram(heading: string): string {
  const readme = readFileSync(join(sdkDir, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  const block = section && /^```js\n([^]*?)^```$/m.exec(section);
  if (!block) throw new Error(`README.md has no js block under "## ${heading}"`);
  return block[1]!;
}

async function packAndInstall(): Promise<void> {
  const packed = join(work, 'packed');
  mkdirSync(packed);
  // prepack builds dist/ first, so the tarball never ships a stale build.
  assertExit(await run('npm', ['pack', '--pack-destination', packed], { cwd: sdkDir }), 0, 'npm pack');
  const tarballs = readdirSync(packed).filter((name) => name.endsWith('.tgz'));
  assert.equal(tarballs.length, 1, `one tarball: ${tarballs.join(', ')}`);

  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'merchant-app', version: '1.0.0', private: true }, null, 2) + '\n');
  const install = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(packed, tarballs[0]!)], { cwd: app });
  assertExit(install, 0, 'npm install <tarball>');
  writeFileSync(join(app, 'readme-call.mjs'), readmeProgram('Call'));
  writeFileSync(join(app, 'readme-callbacks.mjs'), readmeProgram('Callbacks'));
}

/** What the sandbox writes into its demo folder, for this service: waas.json naming the key files by absolute path. */
function writeDemoFolder(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const files = { privateKey: join(dir, 'merchant-private.pem'), walletPublicKey: join(dir, 'wallet-public.pem'), config: join(dir, 'waas.json') };
  writeFileSync(files.privateKey, service.merchantPrivateKeyPem, { mode: 0o600 });
  writeFileSync(files.walletPublicKey, service.walletPublicKeyPem);
  writeFileSync(files.config, JSON.stringify({ baseUrl: service.baseUrl, appId: service.appId, privateKey: files.privateKey, walletPublicKey: files.walletPublicKey }, null, 2));
  return files.config;
}

before(async () => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'openwaas-sdk-package-')));
  app = join(work, 'merchant-app');
  mkdirSync(app);
  mkdirSync(join(work, 'home'));
  baseEnv = {
    PATH: process.env.PATH ?? '',
    HOME: join(work, 'home'),
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_update_notifier: 'false',
    // Nothing here may reach a registry: a request would be refused at once instead of downloading.
    npm_config_registry: 'http://127.0.0.1:9/',
  };
  const support = (await import(serviceSupportUrl)) as ServiceSupport;
  enabledSymbols = [...support.enabledSymbolsDefault].sort();
  const started = support.startTestService({ kind: 'sqlite' });
  try {
    await packAndInstall();
  } finally {
    service = await started;
  }
});

after(async () => {
  await service?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed SDK installed into a fresh app', { concurrency: true }, () => {
  test('installs from the tarball into the app, offline, with its README and without its tests', () => {
    const installed = join(app, 'node_modules', '@openwaas', 'sdk');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { engines: { node: string }; dependencies?: Record<string, string> };
    assert.equal(manifest.engines.node, '>=20.19', 'the real floor: require() of an ES module works from Node 20.19');
    assert.deepEqual(manifest.dependencies ?? {}, {}, 'no dependencies to download');
    assert.equal(readFileSync(join(installed, 'README.md'), 'utf8'), readFileSync(join(sdkDir, 'README.md'), 'utf8'));
    assert.ok(existsSync(join(installed, 'dist', 'index.js')) && existsSync(join(installed, 'dist', 'index.d.ts')));
    assert.ok(!existsSync(join(installed, 'test')), 'tests are not shipped');
    assert.ok(!existsSync(join(installed, 'dist', 'examples')));
    assert.ok(!lstatSync(installed).isSymbolicLink(), 'a copy, not a link to the workspace');
    assert.deepEqual(readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.')), ['@openwaas'], 'nothing else was installed');
  });

  test('CommonJS: require() loads it, seals and opens with a fresh key pair, and calls the service', async () => {
    writeFileSync(
      join(app, 'use-require.cjs'),
      `'use strict';
const { generateKeyPairSync } = require('node:crypto');
const sdk = require('@openwaas/sdk');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const opened = sdk.open(sdk.seal({ amount: '0.000000000000000001', by: 'require' }, privateKey), publicKey);
const client = new sdk.WaasClient({
  baseUrl: process.env.WAAS_BASE_URL,
  appId: process.env.WAAS_APP_ID,
  privateKey: process.env.WAAS_PRIVATE_KEY,
  walletPublicKey: process.env.WAAS_WALLET_PUBLIC_KEY,
});
(async () => {
  const coins = await client.getCoinList();
  let code;
  try {
    await client.getUserInfo({ email: 'nobody@example.com' });
  } catch (error) {
    code = error instanceof sdk.WaasError ? error.code : String(error);
  }
  console.log(JSON.stringify({ resolved: require.resolve('@openwaas/sdk'), opened, coins: coins.map((c) => c.symbol), code }));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`,
    );
    const result = await run(process.execPath, ['use-require.cjs'], { cwd: app, env: serviceEnv() });
    assertExit(result, 0, 'node use-require.cjs');
    assert.equal(result.stderr, '', 'no warning either');
    const out = JSON.parse(result.stdout) as { resolved: string; opened: unknown; coins: string[]; code: string };
    assert.equal(out.resolved, join(app, 'node_modules', '@openwaas', 'sdk', 'dist', 'index.js'), 'resolved in the app, not in the workspace');
    assert.deepEqual(out.opened, { amount: '0.000000000000000001', by: 'require' });
    assert.deepEqual([...out.coins].sort(), enabledSymbols);
    assert.equal(out.code, '110065', 'a WaasError with the code, instanceof the class require() returned');
  });

  test('ES module: import loads it, seals and opens with a fresh key pair, and calls the service', async () => {
    writeFileSync(
      join(app, 'use-import.mjs'),
      `import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { open, seal, WaasClient, WaasError, ErrorCode } from '@openwaas/sdk';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const opened = open(seal({ amount: '12345678901234567890.5', by: 'import' }, privateKey), publicKey);
const client = new WaasClient({
  baseUrl: process.env.WAAS_BASE_URL,
  appId: process.env.WAAS_APP_ID,
  privateKey: process.env.WAAS_PRIVATE_KEY,
  walletPublicKey: process.env.WAAS_WALLET_PUBLIC_KEY,
});
const coins = await client.getCoinList();
let notFound = false;
try {
  await client.getUserInfo({ email: 'nobody@example.com' });
} catch (error) {
  notFound = error instanceof WaasError && error.is(ErrorCode.UserNotFound);
}
console.log(JSON.stringify({ resolved: fileURLToPath(import.meta.resolve('@openwaas/sdk')), opened, coins: coins.map((c) => c.symbol), notFound }));
`,
    );
    const result = await run(process.execPath, ['use-import.mjs'], { cwd: app, env: serviceEnv() });
    assertExit(result, 0, 'node use-import.mjs');
    assert.equal(result.stderr, '');
    const out = JSON.parse(result.stdout) as { resolved: string; opened: unknown; coins: string[]; notFound: boolean };
    assert.equal(out.resolved, join(app, 'node_modules', '@openwaas', 'sdk', 'dist', 'index.js'));
    assert.deepEqual(out.opened, { amount: '12345678901234567890.5', by: 'import' });
    assert.deepEqual([...out.coins].sort(), enabledSymbols);
    assert.equal(out.notFound, true);
  });

  test("TypeScript (module nodenext): the tarball's declarations type-check an ES module, a CommonJS file and the README's programs, and catch a type error", async () => {
    const compilerOptions = {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      // The SDK's declarations are checked too.
      skipLibCheck: false,
      // The README's programs are JavaScript: checked against the declarations too.
      allowJs: true,
      checkJs: true,
      // A merchant app has its own @types/node; this one borrows the repository's.
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
      types: ['node'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['typed.mts', 'typed.cts', 'readme-call.mjs', 'readme-callbacks.mjs'] }, null, 2));
    writeFileSync(join(app, 'tsconfig.wrong.json'), JSON.stringify({ compilerOptions, files: ['typed-wrong.mts'] }, null, 2));
    const typed = (what: string) => `import { ErrorCode, WaasClient, WaasError, type WithdrawRecord, type DepositRecord } from '@openwaas/sdk';

export async function firstWithdrawal(client: WaasClient): Promise<string | undefined> {
  const records: WithdrawRecord[] = await client.syncWithdrawList({ max_id: 0 });
  const first: WithdrawRecord | undefined = records[0];
  return first?.amount; // a decimal string
}
export async function depositIds(client: WaasClient): Promise<number[]> {
  const deposits: DepositRecord[] = await client.depositList({ ids: ['1', '2'] });
  return deposits.map((d) => d.id);
}
export function isDuplicate(error: unknown): boolean {
  return error instanceof WaasError && error.is(ErrorCode.DuplicateRequest) && typeof error.code === 'string';
}
export const made = (baseUrl: string, key: string) => new WaasClient({ baseUrl, appId: '${what}', privateKey: key, walletPublicKey: key });
`;
    writeFileSync(join(app, 'typed.mts'), typed('esm'));
    writeFileSync(join(app, 'typed.cts'), typed('cjs'));
    writeFileSync(
      join(app, 'typed-wrong.mts'),
      `import { WaasClient, type WithdrawRecord } from '@openwaas/sdk';

declare const client: WaasClient;
const records: WithdrawRecord[] = await client.syncWithdrawList({ max_id: 0 });
export const amount: number = records[0]!.amount;
export const sent = client.withdraw({ request_id: 'order-1', amount: '1' });
`,
    );

    const [ok, wrong] = await Promise.all([
      run(tsc, ['-p', 'tsconfig.json', '--listFiles'], { cwd: app }),
      run(tsc, ['-p', 'tsconfig.wrong.json'], { cwd: app }),
    ]);
    assertExit(ok, 0, 'tsc on the typed files');
    const listed = ok.stdout.split('\n').map((line) => line.trim());
    assert.ok(listed.includes(join(app, 'node_modules', '@openwaas', 'sdk', 'dist', 'index.d.ts')), 'types read from the installed tarball');
    assert.ok(!listed.some((file) => file.startsWith(join(repoRoot, 'packages') + sep)), 'nothing from the workspace');

    assert.notEqual(wrong.code, 0, `tsc must fail on the wrong file:\n${wrong.stdout}`);
    const errors = wrong.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    assert.ok(errors.length >= 2 && errors.every((line) => line.startsWith('typed-wrong.mts(')), `errors only in the wrong file:\n${wrong.stdout}`);
    assert.match(wrong.stdout, /typed-wrong\.mts\(5,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.match(wrong.stdout, /typed-wrong\.mts\(6,\d+\): error TS\d+: .* is missing the following properties from type 'WithdrawRequest': from_uid/);
  });

  test('the openwaas-sdk bin runs from node_modules/.bin: --help, keygen, and call against the service', async () => {
    const bin = join(app, 'node_modules', '.bin', 'openwaas-sdk');
    const demo = join(work, 'demo');
    mkdirSync(demo);
    writeFileSync(join(demo, 'merchant-private.pem'), service.merchantPrivateKeyPem, { mode: 0o600 });
    writeFileSync(join(demo, 'wallet-public.pem'), service.walletPublicKeyPem);
    // Key paths relative to the config file.
    writeFileSync(join(demo, 'waas.json'), JSON.stringify({ baseUrl: service.baseUrl, appId: service.appId, privateKey: 'merchant-private.pem', walletPublicKey: 'wallet-public.pem' }));

    const [help, keygen, call] = await Promise.all([
      run(bin, ['--help'], { cwd: app }),
      run(bin, ['keygen', '--out', join(work, 'keys')], { cwd: app }),
      run(bin, ['call', 'getCoinList', '--config', join(demo, 'waas.json')], { cwd: app }),
    ]);
    assertExit(help, 0, 'openwaas-sdk --help');
    assert.match(help.stdout, /Usage: openwaas-sdk <command>[^]*keygen[^]*call/);
    assertExit(keygen, 0, 'openwaas-sdk keygen');
    assert.match(readFileSync(join(work, 'keys', 'merchant-private.pem'), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(statSync(join(work, 'keys', 'merchant-private.pem')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(work, 'keys', 'merchant-public.pem'), 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
    assertExit(call, 0, 'openwaas-sdk call getCoinList');
    assert.deepEqual((JSON.parse(call.stdout) as Array<{ symbol: string }>).map((c) => c.symbol).sort(), enabledSymbols);
  });

  test("the README's Call program runs as written, from the app, on the sandbox's files", async () => {
    writeDemoFolder(join(app, '.openwaas', 'demo'));
    const result = await run(process.execPath, ['readme-call.mjs'], { cwd: app });
    assertExit(result, 0, 'node readme-call.mjs');
    const [coins, user] = result.stdout.trim().split('\n');
    assert.deepEqual((JSON.parse((coins ?? '').replaceAll("'", '"')) as string[]).sort(), enabledSymbols);
    assert.match(user ?? '', /^\d+ 0x[0-9a-fA-F]{40} 0$/, 'uid, deposit address, balance');
  });

  test('the quickstart example runs against the installed package: registers its user once, finds it again after', async () => {
    // As a merchant would copy it into their app: '@openwaas/sdk' resolves to the tarball's build.
    copyFileSync(join(sdkDir, 'examples', 'quickstart.ts'), join(app, 'quickstart.mts'));
    writeFileSync(join(work, 'example.json'), JSON.stringify({ baseUrl: service.baseUrl, appId: service.appId, privateKey: 'demo-keys/merchant-private.pem', walletPublicKey: 'demo-keys/wallet-public.pem' }));
    mkdirSync(join(work, 'demo-keys'));
    writeFileSync(join(work, 'demo-keys', 'merchant-private.pem'), service.merchantPrivateKeyPem, { mode: 0o600 });
    writeFileSync(join(work, 'demo-keys', 'wallet-public.pem'), service.walletPublicKeyPem);
    const env = { WAAS_CONFIG: join(work, 'example.json'), WAAS_EXAMPLE_EMAIL: 'quickstart@example.com' };

    const first = await run(process.execPath, ['--import', tsxLoader, 'quickstart.mts'], { cwd: app, env });
    assertExit(first, 0, 'quickstart, first run');
    assert.match(first.stdout, /^coins: .*ETH \(18 decimals\)/m);
    const uid = /^user: uid (\d+)$/m.exec(first.stdout)?.[1];
    assert.ok(uid, first.stdout);
    assert.match(first.stdout, /^deposit address for \w+: \S+$/m);
    assert.match(first.stdout, /^balance: 0 \w+ spendable, 0 locked$/m);
    assert.match(first.stdout, /^deposits of this merchant so far: \d+$/m);

    const second = await run(process.execPath, ['--import', tsxLoader, 'quickstart.mts'], { cwd: app, env });
    assertExit(second, 0, 'quickstart, second run');
    assert.match(second.stdout, new RegExp(`^user: uid ${uid}$`, 'm'), 'the same user, looked up this time');

    const missing = await run(process.execPath, ['--import', tsxLoader, 'quickstart.mts'], { cwd: app, env: { WAAS_CONFIG: join(work, 'no-such.json') } });
    assertExit(missing, 2, 'quickstart without settings');
    assert.match(missing.stderr, /No SDK settings at .*no-such\.json[^]*npm run sandbox/);
  });
});
