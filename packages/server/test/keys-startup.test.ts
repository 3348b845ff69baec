/**
 * Start-up never falls back to known keys: without a key store the service refuses to start,
 * naming the settings to provide, on any chain id and without chains too; development keys only
 * with the explicit flag, said loudly; the sandbox keeps working with its own key store.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { WaasClient } from '@openwaas/sdk';
import { ConfigError, loadConfig, type ServiceConfig } from '../src/config/config.js';
import { initKeystore, initSecretsKeystore } from '../src/keys/keystore.js';
import { KeySetupError } from '../src/keys/unlock.js';
import { runCli } from '../src/cli/run.js';
import { createLogger, createService } from '../src/service.js';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const fast = { kdf: { logN: 4 }, insecureKdfForTests: true };
const passphrase = 'a long enough test passphrase';
const otherMnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
/** An address nothing listens on: these services never reach their node. */
const deadRpc = 'http://127.0.0.1:9/';

/** Every setting an operator may provide, named in the refusal. */
function assertNamesSettings(message: string): void {
  for (const setting of ['OPENWAAS_KEYSTORE', 'OPENWAAS_KEY_PASSPHRASE', 'openwaas keys init', 'OPENWAAS_REMOTE_SIGNER', 'OPENWAAS_INSECURE_DEV_KEYS=1']) {
    assert.ok(message.includes(setting), `the message names ${setting}: ${message}`);
  }
}

describe('start-up keys (createService)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openwaas-keys-startup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const config = (overrides: Partial<ServiceConfig>) =>
    loadConfig({ databaseUrl: join(dir, `db-${++n}.sqlite`), keystorePath: join(dir, `absent-${n}.json`), port: 0, logLevel: 'silent', workers: false, rsaWorkers: 1, ...overrides }, {});
  const chain = (id: string) => [{ id, rpcUrl: deadRpc }] as ServiceConfig['chains'];

  async function refused(c: ServiceConfig, env: NodeJS.ProcessEnv = {}): Promise<string> {
    let message = '';
    await assert.rejects(createService(c, { env }), (error: unknown) => {
      assert.ok(error instanceof KeySetupError, String(error));
      message = error.message;
      return true;
    });
    return message;
  }

  it('chains and no key store: refused on the dev chain and on mainnet, naming the settings', async () => {
    for (const id of ['evm:31337', 'evm:1']) {
      const message = await refused(config({ chains: chain(id) }));
      assertNamesSettings(message);
      assert.match(message, new RegExp(id));
      assert.match(message, /public development keys are refused/);
    }
  });

  it('a mnemonic in the configuration is plaintext key material: refused without the flag', async () => {
    const message = await refused(config({ chains: chain('evm:1'), hdMnemonic: otherMnemonic }));
    assert.match(message, /OPENWAAS_HD_MNEMONIC/);
    assert.ok(!message.includes('abandon'), 'the message never repeats the mnemonic');
    assertNamesSettings(message);
  });

  it('a remote signer alone is not enough: deposit addresses would come from the public mnemonic', async () => {
    const remoteSigner = { url: 'http://127.0.0.1:9/', hotAddress: '0x' + '11'.repeat(20), feeAddress: '0x' + '22'.repeat(20), timeoutMs: 1_000 };
    assertNamesSettings(await refused(config({ chains: chain('evm:1'), remoteSigner })));
  });

  it('without chains: refused too (merchants\' wallet keys need the data key), --secrets-only named', async () => {
    const message = await refused(config({}));
    assert.match(message, /keys init --secrets-only/);
    assertNamesSettings(message);
  });

  it('a locked key store: the passphrase setting is named', async () => {
    const keystorePath = join(dir, 'locked.json');
    await initKeystore({ path: keystorePath, passphrase, ...fast });
    assert.match(await refused(config({ keystorePath, chains: chain('evm:1') })), /OPENWAAS_KEY_PASSPHRASE/);
  });

  it('a secrets-only key store runs a chainless service, and is refused with chains', async () => {
    const keystorePath = join(dir, 'secrets-only.json');
    await initSecretsKeystore({ path: keystorePath, passphrase, ...fast });
    const env = { OPENWAAS_KEY_PASSPHRASE: passphrase };
    const service = await createService(config({ keystorePath }), { env });
    assert.equal(service.keySource, 'keystore');
    await service.close();
    assert.match(await refused(config({ keystorePath, chains: chain('evm:1') }), env), /holds no HD seed/);
  });

  it('a key store with chains: source keystore (remote-signer when one signs the hot and fee wallets)', async () => {
    const keystorePath = join(dir, 'full.json');
    await initKeystore({ path: keystorePath, passphrase, ...fast });
    const env = { OPENWAAS_KEY_PASSPHRASE: passphrase };
    const local = await createService(config({ keystorePath, chains: chain('evm:1') }), { env });
    assert.equal(local.keySource, 'keystore');
    await local.close();
    const remoteSigner = { url: 'http://127.0.0.1:9/', hotAddress: '0x' + '11'.repeat(20), feeAddress: '0x' + '22'.repeat(20), timeoutMs: 1_000 };
    const remote = await createService(config({ keystorePath, chains: chain('evm:1'), remoteSigner }), { env });
    assert.equal(remote.keySource, 'remote-signer');
    await remote.close();
  });

  it('with insecureDevKeys: starts on the development keys and warns loudly', async () => {
    let logged = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged += String(chunk);
        done();
      },
    });
    const c = config({ chains: chain('evm:31337'), insecureDevKeys: true, logLevel: 'warn' });
    const service = await createService(c, { log: createLogger(c, sink) });
    assert.equal(service.keySource, 'insecure-dev-keys');
    await service.close();
    assert.match(logged, /INSECURE DEVELOPMENT KEYS/);
    assert.match(logged, /never hold real funds/);
  });

  it('keys init --secrets-only writes a data key without a seed; show-addresses says so; rotation keeps it', async () => {
    const keystorePath = join(dir, 'cli-secrets.json');
    const cli = async (args: string[], env: NodeJS.ProcessEnv) => {
      let stdout = '';
      let stderr = '';
      const sink = (append: (s: string) => void) =>
        new Writable({
          write(chunk, _e, done) {
            append(String(chunk));
            done();
          },
        });
      const code = await runCli(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env, cwd: dir });
      return { code, stdout, stderr };
    };
    const env = { OPENWAAS_KEY_PASSPHRASE: passphrase };
    const init = await cli(['keys', 'init', '--secrets-only', '--keystore', keystorePath, '--json'], env);
    assert.equal(init.code, 0, init.stderr);
    assert.deepEqual(JSON.parse(init.stdout), { keystore: keystorePath, secrets_only: true });
    const show = await cli(['keys', 'show-addresses', '--keystore', keystorePath], env);
    assert.equal(show.code, 1);
    assert.match(show.stderr, /no HD seed.*no-seed/);
    const rotated = await cli(['keys', 'rotate-passphrase', '--keystore', keystorePath, '--json'], { ...env, OPENWAAS_NEW_KEY_PASSPHRASE: 'another long passphrase' });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.equal(JSON.parse(rotated.stdout).secrets_only, true);
    const service = await createService(config({ keystorePath }), { env: { OPENWAAS_KEY_PASSPHRASE: 'another long passphrase' } });
    assert.equal(service.keySource, 'keystore');
    await service.close();
  });

  it('OPENWAAS_INSECURE_DEV_KEYS takes 1 or 0, nothing vaguer', () => {
    assert.equal(loadConfig({}, { OPENWAAS_INSECURE_DEV_KEYS: '1' }).insecureDevKeys, true);
    assert.equal(loadConfig({}, { OPENWAAS_INSECURE_DEV_KEYS: '0' }).insecureDevKeys, false);
    assert.equal(loadConfig({}, {}).insecureDevKeys, false);
    assert.throws(() => loadConfig({}, { OPENWAAS_INSECURE_DEV_KEYS: 'maybe' }), (e: unknown) => e instanceof ConfigError && /OPENWAAS_INSECURE_DEV_KEYS must be 1 or 0/.test(e.message));
  });
});

interface Child {
  child: ChildProcess;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as its own process; `untilLine` resolves at the first stdout line matching it (the process keeps running). */
function start(args: string[], env: NodeJS.ProcessEnv, cwd: string): Child {
  const { OPENWAAS_CONFIG: _c, OPENWAAS_KEYSTORE: _k, OPENWAAS_KEY_PASSPHRASE: _p, OPENWAAS_INSECURE_DEV_KEYS: _i, OPENWAAS_HD_MNEMONIC: _m, OPENWAAS_CHAINS: _ch, DATABASE_URL: _d, LOG_LEVEL: _l, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, main, ...args], { env: { ...inherited, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const c: Child = { child, stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (c.stdout += d));
  child.stderr!.on('data', (d) => (c.stderr += d));
  return c;
}

function exited(c: Child): Promise<number> {
  return new Promise((resolve) => (c.child.exitCode !== null ? resolve(c.child.exitCode) : c.child.once('exit', (code) => resolve(code ?? -1))));
}

/** Polls until the process printed a JSON line (started) or exited; generous deadline for a loaded machine. */
async function jsonLine(c: Child, deadlineMs = 120_000): Promise<Record<string, unknown>> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const line = c.stdout.split('\n').find((l) => l.startsWith('{'));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (c.child.exitCode !== null) throw new Error(`exited with ${c.child.exitCode}: ${c.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no start line: ${c.stdout}\n${c.stderr}`);
}

/** The line of the human start-up summary matching `pattern`, once the block is printed. */
async function summaryLine(c: Child, pattern: RegExp, deadlineMs = 120_000): Promise<string> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (/^\s*workers\s/m.test(c.stdout)) {
      const line = c.stdout.split('\n').find((l) => pattern.test(l));
      if (line) return line;
      throw new Error(`no line ${pattern} in the summary: ${c.stdout}`);
    }
    if (c.child.exitCode !== null) throw new Error(`exited with ${c.child.exitCode}: ${c.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no start-up summary: ${c.stdout}\n${c.stderr}`);
}

async function stop(c: Child): Promise<void> {
  if (c.child.exitCode === null) {
    c.child.kill('SIGTERM');
    await exited(c);
  }
}

describe('openwaas serve and sandbox (child processes)', () => {
  let dir: string;
  const running: Child[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'openwaas-serve-keys-'));
  });
  after(async () => {
    await Promise.all(running.map(stop));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serve with a mainnet chain and no key store exits 1, naming the settings (no stack trace)', async () => {
    const c = start(['serve', '--port', '0', '--json'], { DATABASE_URL: join(dir, 'refused.sqlite'), OPENWAAS_CHAINS: JSON.stringify([{ id: 'evm:1', rpcUrl: deadRpc }]), LOG_LEVEL: 'silent' }, dir);
    running.push(c);
    assert.equal(await exited(c), 1, c.stderr);
    assertNamesSettings(c.stderr);
    assert.doesNotMatch(c.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(c.stdout, '');
  });

  it('serve --insecure-dev-keys starts and warns', async () => {
    const c = start(['serve', '--port', '0', '--json', '--no-workers', '--insecure-dev-keys'], { DATABASE_URL: join(dir, 'dev.sqlite'), OPENWAAS_CHAINS: JSON.stringify([{ id: 'evm:31337', rpcUrl: deadRpc }]), LOG_LEVEL: 'silent' }, dir);
    running.push(c);
    const started = await jsonLine(c);
    assert.match(String(started.url), /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(c.stderr, /WARNING: INSECURE DEVELOPMENT KEYS/);
    await stop(c);

    // The person reading the start-up summary sees the warning on its keys line too.
    const human = start(['serve', '--port', '0', '--no-workers', '--insecure-dev-keys'], { DATABASE_URL: join(dir, 'dev.sqlite'), OPENWAAS_CHAINS: JSON.stringify([{ id: 'evm:31337', rpcUrl: deadRpc }]), LOG_LEVEL: 'silent' }, dir);
    running.push(human);
    const keysLine = await summaryLine(human, /^\s*keys\s/);
    assert.match(keysLine, /WARNING: not an encrypted key store; never hold real funds with these keys/);
    await stop(human);
  });

  it('sandbox --no-chain works on its own generated key store (no prompt, no development keys)', async () => {
    const demo = join(dir, 'demo');
    const c = start(['sandbox', '--no-chain', '--port', '0', '--json', '--dir', demo], { DATABASE_URL: join(dir, 'sandbox.sqlite') }, dir);
    running.push(c);
    const info = (await jsonLine(c)) as { url: string; sdk_config: string };
    const sdk = JSON.parse(readFileSync(info.sdk_config, 'utf8')) as { baseUrl: string; appId: string; privateKey: string; walletPublicKey: string };
    const client = new WaasClient({ baseUrl: sdk.baseUrl, appId: sdk.appId, privateKey: readFileSync(sdk.privateKey, 'utf8'), walletPublicKey: readFileSync(sdk.walletPublicKey, 'utf8') });
    assert.ok((await client.getCoinList()).length > 0);
    assert.doesNotMatch(c.stderr, /INSECURE/);
    readFileSync(join(demo, 'keystore.json'), 'utf8');
    await stop(c);
  });
});
