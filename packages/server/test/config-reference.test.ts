/**
 * The configuration reference is the schema's: docs/configuration.md matches it, every setting
 * is described, every environment variable sets what the table says, the example production
 * file validates, and `openwaas config check` prints the effective settings without a secret
 * and refuses what serve would refuse.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig, serviceConfigSchema, settingEnvironment } from '../src/config/config.js';
import { configurationDoc, configurationReference, redactedConfig } from '../src/config/reference.js';
import { runCli } from '../src/cli/run.js';
import { redactedUrl } from '../src/http/redacted-url.js';

const repo = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'openwaas-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => (out.stdout += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (out.stderr += c.toString('utf8')));
  const code = await runCli(argv, { stdout, stderr, env, cwd: dir });
  return { code, ...out };
}

describe('configuration reference', () => {
  test('docs/configuration.md is the generated page (npm run docs:config)', () => {
    assert.equal(readFileSync(repo('docs/configuration.md'), 'utf8'), configurationDoc());
  });

  test('every setting, nested ones included, has a description', () => {
    const rows = configurationReference();
    assert.ok(rows.length > 40, `only ${rows.length} settings found`);
    for (const r of rows) assert.ok(r.meaning.length > 0, `${r.path} has no description (.describe() in its schema)`);
    assert.ok(rows.some((r) => r.path === 'chains[].rpcUrl' && r.required && r.shown === 'url-redacted'));
    assert.ok(rows.some((r) => r.path === 'kyt.token' && r.shown === 'secret'));
  });

  test('each environment variable sets the setting the table names, in its form', () => {
    const keys = Object.keys(serviceConfigSchema.shape);
    const names = settingEnvironment.map((e) => e.env);
    assert.equal(new Set(names).size, names.length, 'an environment variable is listed twice');
    for (const e of settingEnvironment) assert.ok(keys.includes(e.setting), `${e.env} → ${e.setting} is no setting`);
    const config = loadConfig({}, {
      PORT: '9001',
      OPENWAAS_OPERATOR_PORT: '9002',
      OPENWAAS_OPERATOR_API: 'yes',
      OPENWAAS_TRUSTED_PROXIES: '10.0.0.1, 10.0.0.0/8,',
      OPENWAAS_NOTIFY_SCHEDULE_MS: '5,10',
      OPENWAAS_CHAINS: JSON.stringify([{ id: 'evm:1', rpcUrl: 'http://127.0.0.1:8545' }]),
      LOG_LEVEL: 'warn',
    });
    assert.equal(config.port, 9001);
    assert.equal(config.operatorPort, 9002);
    assert.equal(config.operatorApi, true);
    assert.deepEqual(config.trustedProxies, ['10.0.0.1', '10.0.0.0/8']);
    assert.deepEqual(config.notifyScheduleMs, [5, 10]);
    assert.equal(config.chains[0]?.pollIntervalMs, 2_000);
    assert.equal(config.logLevel, 'warn');
    assert.throws(() => loadConfig({}, { OPENWAAS_OPERATOR_API: 'maybe' }), /OPENWAAS_OPERATOR_API must be 1 or 0/);
  });

  test('the example production file validates', () => {
    const config = loadConfig({}, { OPENWAAS_CONFIG: repo('docs/examples/production.json') });
    assert.equal(config.chains[0]?.id, 'evm:1');
    assert.equal(config.kyt.provider, 'http');
  });
});

describe('redaction', () => {
  test('URLs lose user info, query and key-like path segments; paths stay', () => {
    assert.equal(redactedUrl('https://mainnet.example.io/v3/0123456789abcdef0123456789abcdef'), 'https://mainnet.example.io/v3/***');
    assert.equal(redactedUrl('https://node.example/rpc?apikey=abc&x=1'), 'https://node.example/rpc?***');
    assert.equal(redactedUrl('postgres://app:hunter2@db:5432/openwaas'), 'postgres://app:***@db:5432/openwaas');
    assert.equal(redactedUrl('./data/openwaas.sqlite'), './data/openwaas.sqlite');
  });

  test('secrets are replaced, everything else is kept', () => {
    const config = loadConfig({ hdMnemonic: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about' }, {
      OPENWAAS_KYT: JSON.stringify({ provider: 'http', url: 'https://kyt.example/screen?key=k3y', token: 'kyt-token-secret' }),
    });
    const shown = JSON.stringify(redactedConfig(config));
    assert.doesNotMatch(shown, /abandon|kyt-token-secret|k3y/);
    assert.match(shown, /"hdMnemonic":"\(set, not shown\)"/);
    assert.match(shown, /"url":"https:\/\/kyt.example\/screen\?\*\*\*"/);
    assert.match(shown, /"port":8080/);
  });
});

describe('openwaas config check', () => {
  const secretFile = join(dir, 'with-secrets.json');
  writeFileSync(
    secretFile,
    JSON.stringify({
      databaseUrl: 'postgres://app:db-password-secret@127.0.0.1:5432/openwaas',
      chains: [{ id: 'evm:1', rpcUrl: 'https://rpc.example/v2/provider-key-secret-0123456789' }],
      kyt: { provider: 'http', url: 'https://kyt.example/screen', token: 'kyt-token-secret' },
      remoteSigner: { url: 'https://signer.example', token: 'signer-token-secret', hotAddress: '0x' + '1'.repeat(40), feeAddress: '0x' + '2'.repeat(40) },
    }),
  );

  test('prints the effective settings and notes, never a secret, exit 0 (text and --json)', async () => {
    const env = { OPENWAAS_CONFIG: secretFile, OPENWAAS_HD_MNEMONIC: 'zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong' };
    const text = await cli(['config', 'check'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^chains\[0\]\.rpcUrl = "https:\/\/rpc\.example\/v2\/\*\*\*"$/m);
    assert.match(text.stdout, /^chains\[0\]\.pollIntervalMs = 2000$/m);
    assert.match(text.stdout, /no key store at \.\/data\/keystore\.json/);
    assert.match(text.stdout, /configuration is valid/);
    const json = await cli(['config', 'check', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; settings: { kyt: { token: string } } };
    assert.equal(parsed.ok, true);
    assert.equal(parsed.settings.kyt.token, '(set, not shown)');
    for (const out of [text.stdout + text.stderr, json.stdout + json.stderr]) assert.doesNotMatch(out, /secret|zoo/, 'a secret was printed');
  });

  test('refuses what serve would refuse: a bad value, and a chain setting against the bounds (exit 2, named)', async () => {
    const bad = await cli(['config', 'check'], { PORT: '70000' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /port/);
    const bounds = await cli(['config', 'check'], { OPENWAAS_CHAINS: JSON.stringify([{ id: 'evm:1', rpcUrl: 'http://127.0.0.1:8545', pollIntervalMs: 5_000, stallAlertAfterMs: 1_000 }]) });
    assert.equal(bounds.code, 2, bounds.stdout);
    assert.match(bounds.stderr, /stallAlertAfterMs/);
  });
});
