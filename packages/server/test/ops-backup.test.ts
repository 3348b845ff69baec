/**
 * `openwaas backup` under write load and `openwaas restore` into a fresh place, on SQLite and
 * PostgreSQL: the restored ledger audits clean, every withdrawal committed before the backup
 * began is there, the key store comes back byte for byte; a damaged backup and an occupied
 * target are refused. The service is real (HTTP, its own store); the CLI runs in this process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { runCli } from '../src/cli/run.js';
import { findWithdrawal } from '../src/modules/withdrawals/index.js';
import { openStore } from '../src/store/db.js';
import { startConfirmEndpoint } from './money-fixtures.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

async function cli(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => (out.stdout += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (out.stderr += c.toString('utf8')));
  const code = await runCli(argv, { stdout, stderr, env, cwd });
  return { code, ...out };
}

const pgUrl = process.env.OPENWAAS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A new empty PostgreSQL database; its search_path names `schema` when given (as the backed-up service's did). */
async function freshPgDatabase(schema?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `restore_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  url.search = '';
  if (schema) url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

eachDatabase('backup and restore', (kind) => {
  let t: TestService;
  let dir: string;
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    t = await startTestService({ kind });
    dir = mkdtempSync(join(tmpdir(), 'openwaas-backup-'));
  });
  after(async () => {
    for (const c of cleanups) await c();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up while withdrawals are written; the restore audits clean with every earlier withdrawal and the key store', async () => {
    const confirm = await startConfirmEndpoint({ walletPublicKey: t.walletPublicKeyPem, privateKey: t.merchantPrivateKeyPem });
    cleanups.push(() => confirm.close());
    await t.ctx.store.db.updateTable('merchants').set({ confirm_url: confirm.url }).where('id', '=', Number(t.merchant.id)).execute();
    const { uid } = await t.client.registerEmail({ email: `backup-${kind}@example.com` });
    await t.credit({ symbol: 'ETH', amount: '1000', uid: Number(uid) });
    const keystore = join(dir, 'keystore.json');
    writeFileSync(keystore, JSON.stringify({ sealed: randomBytes(64).toString('base64') }), { mode: 0o600 });
    const env = { DATABASE_URL: t.ctx.config.databaseUrl, OPENWAAS_KEYSTORE: keystore };

    // Writers keep going until the backup is done; each id is recorded once its call has returned.
    const committed: Array<{ id: number; at: number }> = [];
    let writing = true;
    let seq = 0;
    const writer = async () => {
      while (writing) {
        const w = await t.client.withdraw({ request_id: `bk-${kind}-${seq++}`, from_uid: Number(uid), to_address: '0x' + '7'.repeat(40), amount: '0.01', symbol: 'ETH' });
        committed.push({ id: Number(w.id), at: performance.now() });
      }
    };
    const writers = [writer(), writer()];
    // Wait for some writes first, so the backup is taken while rows are arriving.
    while (committed.length < 5) await new Promise((r) => setImmediate(r));
    const started = performance.now();
    const backupDir = join(dir, 'backup');
    const made = await cli(['backup', backupDir, '--json'], env, dir);
    writing = false;
    await Promise.all(writers);
    assert.equal(made.code, 0, made.stderr);
    const manifest = JSON.parse(made.stdout) as { database: { kind: string; sha256: string }; keystore: { sha256: string } | null };
    assert.equal(manifest.database.kind, kind);
    assert.ok(manifest.keystore, 'the key store is in the backup');
    const before = committed.filter((c) => c.at < started).map((c) => c.id);
    assert.ok(before.length >= 5);

    // Restore into a fresh database and key store path.
    const target =
      kind === 'sqlite'
        ? { url: join(dir, 'restored', 'openwaas.sqlite'), drop: async () => {} }
        : await freshPgDatabase((JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as { database: { schema_name: string } }).database.schema_name);
    cleanups.push(target.drop);
    const restoredKeystore = join(dir, 'restored-keys', 'keystore.json');
    const restoreEnv = { DATABASE_URL: target.url, OPENWAAS_KEYSTORE: restoredKeystore };
    const restored = await cli(['restore', backupDir, '--json'], restoreEnv, dir);
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);
    const report = JSON.parse(restored.stdout) as { audit: { ok: boolean; journals: number } };
    assert.equal(report.audit.ok, true, restored.stdout);
    assert.ok(report.audit.journals > before.length, 'the journals came back');
    assert.equal(readFileSync(restoredKeystore, 'utf8'), readFileSync(keystore, 'utf8'));

    const store = openStore(target.url);
    try {
      for (const id of before) assert.ok(await findWithdrawal(store.db, id), `withdrawal ${id} committed before the backup is restored`);
    } finally {
      await store.close();
    }

    // Never over what is there: the same restore again is refused, nothing touched.
    const again = await cli(['restore', backupDir], restoreEnv, dir);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists|holds tables/);
  });

  it('refuses a damaged backup before writing anything, and a backup into a directory that is not empty', async () => {
    const keystore = join(dir, 'keystore-2.json');
    writeFileSync(keystore, '{"k":1}', { mode: 0o600 });
    const env = { DATABASE_URL: t.ctx.config.databaseUrl, OPENWAAS_KEYSTORE: keystore };
    const backupDir = join(dir, 'backup-2');
    const made = await cli(['backup', backupDir], env, dir);
    assert.equal(made.code, 0, made.stderr);
    const occupied = await cli(['backup', backupDir], env, dir);
    assert.equal(occupied.code, 1);
    assert.match(occupied.stderr, /not empty/);

    const file = join(backupDir, kind === 'sqlite' ? 'database.sqlite' : 'database.pgdump');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(file, bytes);
    const targetPath = join(dir, 'never', 'openwaas.sqlite');
    const damaged = await cli(['restore', backupDir], { DATABASE_URL: kind === 'sqlite' ? targetPath : pgUrl, OPENWAAS_KEYSTORE: join(dir, 'never-keys.json') }, dir);
    assert.equal(damaged.code, 1);
    assert.match(damaged.stderr, /does not match its checksum/);
  });

  // PostgreSQL only: the public schema exists in every new database, so its creation is left out of the restore.
  if (kind === 'postgres') {
    it('a service in the public schema is restored into a new database, whose public schema exists already', async () => {
      const source = await freshPgDatabase();
      const target = await freshPgDatabase();
      cleanups.push(source.drop, target.drop);
      const env = { DATABASE_URL: source.url, OPENWAAS_KEYSTORE: join(dir, 'no-keystore.json') };
      assert.equal((await cli(['migrate'], env, dir)).code, 0);
      const backupDir = join(dir, 'backup-public');
      const made = await cli(['backup', backupDir, '--json'], env, dir);
      assert.equal(made.code, 0, made.stderr);
      assert.equal((JSON.parse(made.stdout) as { database: { schema_name: string } }).database.schema_name, 'public');
      const restored = await cli(['restore', backupDir, '--json'], { DATABASE_URL: target.url, OPENWAAS_KEYSTORE: join(dir, 'no-keystore-restored.json') }, dir);
      assert.equal(restored.code, 0, restored.stderr + restored.stdout);
      assert.deepEqual((JSON.parse(restored.stdout) as { migrations_applied: string[] }).migrations_applied, [], 'the schema came back current');
    });
  }
});
