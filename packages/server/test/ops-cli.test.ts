import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { cliRunners } from './support/cli.js';
import { databaseKinds, freshDatabase, skippedWithoutPostgres, type TestDatabase } from './support/databases.js';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
/** A bound for a hung command only: several CLIs start at once, and on a loaded machine each takes a while. */
const cliTimeoutMs = 180_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one statement on the database behind the CLI's back (`?` placeholders). */
async function behindTheBack(database: TestDatabase, statement: string, params: unknown[] = []): Promise<void> {
  if (database.name === 'sqlite') {
    const db = new SQLite(database.url);
    try {
      db.prepare(statement).run(...params);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    let n = 0;
    await client.query(statement.replace(/\?/g, () => `$${++n}`), params);
  } finally {
    await client.end();
  }
}

const kinds = await databaseKinds();
skippedWithoutPostgres(kinds, 'openwaas CLI (child processes, postgres)');
for (const kind of kinds) describe(`openwaas CLI (child processes, ${kind})`, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let database: TestDatabase;

  function cli(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, ['--conditions=source', '--import', tsx, main, ...args], { env, cwd: dir, timeout: cliTimeoutMs }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }
  // The same commands in this process (what the binary runs, exit code included): a child
  // process per command costs seconds of start-up on a loaded machine. The process-level
  // behaviour (usage errors, SIGTERM) keeps real child processes.
  const { cliHere } = cliRunners(() => env, () => dir);
  const cliIn = (...args: string[]): Promise<Run> => cliHere(args);
  const json = (r: Run) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openwaas-cli-'));
    database = await freshDatabase(kind);
    const { LOG_LEVEL: _l, OPENWAAS_CONFIG: _c, OPENWAAS_OPERATOR_TOKEN: _t, ...rest } = process.env;
    // No key store here: merchants' keys under the development data key, said explicitly.
    env = { ...rest, DATABASE_URL: database.url, PORT: '0', OPENWAAS_INSECURE_DEV_KEYS: '1' };
  });
  after(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('usage errors exit 2 with help; --help exits 0; an unmigrated database exits 1', async () => {
    const [none, help, noName, unknown, badLimit, groupHelp, unmigrated] = await Promise.all([
      cli(),
      cli('--help'),
      cli('merchant', 'create'),
      cli('frobnicate'),
      cli('merchant', 'create', '--name', 'x', '--user-limit', 'lots'),
      cli('coin', '--help'),
      cli('merchant', 'list'),
    ]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: openwaas <command>/);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /notifications/);
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /--name is required/);
    assert.match(noName.stderr, /Usage: openwaas merchant create/);
    assert.equal(unknown.code, 2);
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /--user-limit must be a whole number/);
    assert.equal(groupHelp.code, 0);
    assert.match(groupHelp.stdout, /enable/);
    assert.equal(unmigrated.code, 1);
    assert.match(unmigrated.stderr, /openwaas migrate/);
  });

  test('migrate, merchant create, coin add/enable, audit exit codes', async () => {
    const migrated = await cliIn('migrate');
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /migration 001_initial: Success/);
    assert.match((await cliIn('migrate')).stdout, /up to date/);

    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(dir, 'merchant.pub.pem');
    writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const m = json(await cliIn('merchant', 'create', '--name', 'Shop', '--merchant-key', keyFile, '--notify-url', 'https://shop.test/n', '--ip', '10.0.0.0/8,192.168.1.1', '--auto-collect', '--user-limit', '7', '--json'));
    assert.match(m.app_id, /^[0-9a-f]{32}$/);
    assert.match(m.rsa_wallet_pub, /BEGIN PUBLIC KEY/);
    assert.deepEqual(m.ip_allowlist, ['10.0.0.0/8', '192.168.1.1']);
    assert.equal(m.auto_collect, true);
    assert.equal(m.user_limit, 7);
    const [text, added] = await Promise.all([
      cliIn('merchant', 'show', m.app_id),
      cliIn('coin', 'add', 'ETH', '--chain', 'evm:31337', '--decimals', '18', '--fee', '0.001', '--min-withdraw', '0.01', '--auto-approve-max', '5', '--daily-limit', '50', '--json'),
    ]);
    assert.match(text.stdout, /notify_url\s+https:\/\/shop\.test\/n/);
    const eth = json(added);
    assert.equal(eth.withdraw_fee, '0.001');
    assert.equal(eth.daily_limit, '50');
    // One after another: each writes its audit entry in a transaction, and in this process a
    // second SQLite connection waiting for the write lock would block the thread its holder needs.
    const again = await cliIn('coin', 'add', 'ETH', '--chain', 'evm:31337', '--decimals', '18');
    const enabled = await cliIn('coin', 'enable', m.app_id, 'ETH', '--json');
    const tooPrecise = await cliIn('coin', 'set', 'ETH', '--fee', '0.0000000000000000001');
    // Symbols match in any case: "eth" is ETH, so adding it is a conflict and setting it changes ETH.
    const folded = await cliIn('coin', 'add', 'eth', '--chain', 'evm:31337', '--decimals', '18');
    const linked = await cliIn('coin', 'set', 'eth', '--address-explorer', 'https://explorer.test/address/{address}', '--json');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /coin set/);
    assert.deepEqual(json(enabled).coins, ['ETH']);
    assert.equal(tooPrecise.code, 1);
    assert.equal(folded.code, 1);
    assert.match(folded.stderr, /coin ETH exists already/);
    assert.deepEqual([json(linked).symbol, json(linked).address_explorer], ['ETH', 'https://explorer.test/address/{address}']);

    const credit = json(await cliIn('balance', 'credit', '--collection', m.app_id, 'ETH', '2.5', '--reason', 'float', '--json'));
    assert.deepEqual(credit.balance, { normal: '2.5', lock: '0' });
    const [overdraw, noReason, clean] = await Promise.all([
      cliIn('balance', 'debit', '--collection', m.app_id, 'ETH', '3', '--reason', 'too much'),
      cliIn('balance', 'credit', '--collection', m.app_id, 'ETH', '1'),
      cliIn('audit'),
    ]);
    assert.equal(overdraw.code, 1);
    assert.match(overdraw.stderr, /insufficient_balance/);
    assert.equal(noReason.code, 2, 'reason is mandatory');
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /no findings/);

    // Someone edits a balance behind the ledger's back.
    await behindTheBack(database, `update accounts set normal = '999' where kind = 'collection'`);
    const dirty = await cliIn('audit', '--json');
    assert.equal(dirty.code, 1);
    const report = JSON.parse(dirty.stdout);
    assert.equal(report.ok, false);
    assert.equal(report.findings[0].kind, 'balance-mismatch');
  });

  test('notifications list and resend --all', async () => {
    const m = json(await cliIn('merchant', 'create', '--name', 'Notified', '--json'));
    const insert = `insert into notifications (merchant_id, side, record_id, payload, state, attempts, next_attempt_at, lease_until, last_error, created_at) values (?, 'deposit', ?, '{}', 'failed', 6, 0, 0, 'HTTP 500', 0)`;
    for (const record of [1, 2]) await behindTheBack(database, insert, [m.id, record]);
    const listed = json(await cliIn('notifications', 'list', '--failed', '--app-id', m.app_id, '--json'));
    assert.equal(listed.notifications.length, 2);
    assert.equal(listed.counts.failed, 2);
    const resent = json(await cliIn('notifications', 'resend', '--all', '--json'));
    assert.deepEqual(resent, { count: 2 });
    const pending = json(await cliIn('notifications', 'list', '--pending', '--json'));
    assert.ok(pending.notifications.every((n: { attempts: number }) => n.attempts === 0));
    assert.match(pending.notifications[0].waiting, /no notify_url/);
    assert.equal((await cliIn('notifications', 'resend')).code, 2);
  });

  test('demo writes keys and an SDK config, and reuses them on a second run', async () => {
    const first = json(await cliIn('demo', '--dir', 'demo-out', '--base-url', 'http://127.0.0.1:9999', '--json'));
    assert.equal(first.merchant, 'created');
    assert.deepEqual(first.coins, ['ETH', 'USDT']);
    const config = JSON.parse(readFileSync(join(dir, 'demo-out', 'waas.json'), 'utf8'));
    assert.deepEqual(Object.keys(config).sort(), ['appId', 'baseUrl', 'privateKey', 'walletPublicKey']);
    assert.equal(config.baseUrl, 'http://127.0.0.1:9999');
    const privatePem = readFileSync(config.privateKey, 'utf8');
    assert.equal(statSync(config.privateKey).mode & 0o777, 0o600);
    const derived = createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' });
    assert.equal(readFileSync(join(dir, 'demo-out', 'merchant-public.pem'), 'utf8'), derived);
    const shown = json(await cliIn('merchant', 'show', config.appId, '--json'));
    assert.equal(shown.rsa_wallet_pub, readFileSync(config.walletPublicKey, 'utf8'));
    assert.equal(shown.merchant_public_key, derived);

    const second = json(await cliIn('demo', '--dir', 'demo-out', '--json'));
    assert.equal(second.merchant, 'reused');
    assert.equal(readFileSync(config.privateKey, 'utf8'), privatePem);
  });

  test('serve prints its URL and stops gracefully on SIGTERM', { timeout: 2 * cliTimeoutMs }, async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, main, 'serve', '--port', '0', '--json'], { env: { ...env, LOG_LEVEL: 'silent' }, cwd: dir });
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve printed no URL: ${stdout} ${stderr}`)), cliTimeoutMs);
        child.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
        child.stdout.on('data', (d) => {
          stdout += d;
          const line = stdout.split('\n').find((l) => l.startsWith('{"url"'));
          if (!line) return;
          clearTimeout(timer);
          try {
            resolve((JSON.parse(line) as { url: string }).url);
          } catch (error) {
            reject(error as Error);
          }
        });
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/api/v2/user/getCoinList`, { method: 'POST', body: 'app_id=nobody&data=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      // An unknown app_id is a plain coded answer, HTTP 200 (API.md §1).
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { code: string }).code, '100015');
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      assert.match(stderr, /stopped/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
