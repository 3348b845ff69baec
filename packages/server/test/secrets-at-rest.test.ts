/**
 * Merchants' wallet private keys are encrypted at rest under the key store's data key: on
 * SQLite and PostgreSQL, rows left in plaintext by an earlier version are encrypted on the first
 * start after the upgrade; rotating the passphrase leaves the rows untouched; a database never
 * opens with another key store's data key; ciphertexts can't be swapped between rows; the
 * SQLite file and its directory are private whatever the umask.
 */
import { strict as assert } from 'node:assert';
import { createCipheriv, createHmac, generateKeyPairSync, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { WaasClient } from '@openwaas/sdk';
import { runCli } from '../src/cli/run.js';
import { loadConfig, type ServiceConfig } from '../src/config/config.js';
import { DataKeyMismatchError } from '../src/modules/merchants/index.js';
import { createMerchant, merchantWalletKey } from '../src/modules/merchants/index.js';
import { DataKeyError } from '../src/keys/data-key.js';
import { initKeystore, openKeystore, unlockKeystore } from '../src/keys/keystore.js';
import { createService, type Service } from '../src/service.js';
import { openStore } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { eachDatabase } from './support/service.js';
import { freshDatabase, type TestDatabase } from './support/databases.js';

const fast = { kdf: { logN: 4 }, insecureKdfForTests: true };
const passphrase = 'the first long passphrase';
const newPassphrase = 'the second long passphrase';
const pem = (k: { export(o: { type: 'pkcs8' | 'spki'; format: 'pem' }): string | Buffer }, type: 'pkcs8' | 'spki') => k.export({ type, format: 'pem' }).toString();

/** Puts the database back to how the previous version left it: migrations 006 and later not applied, wallet keys as plaintext PEM. */
async function asBeforeUpgrade(url: string, merchants: Array<{ appId: string; privatePem: string; publicPem: string; merchantPublicPem: string }>): Promise<void> {
  const store = openStore(url);
  try {
    await migrateToLatest(store);
    // The previous version knew neither 006 nor what came after it.
    await sql`drop table operator_tokens`.execute(store.db);
    await sql`drop table operators`.execute(store.db);
    await sql`delete from kysely_migration where name = '007_operators'`.execute(store.db);
    await sql`drop table data_keys`.execute(store.db);
    await sql`delete from kysely_migration where name = '006_secrets_at_rest'`.execute(store.db);
    for (const m of merchants) {
      await store.db
        .insertInto('merchants')
        .values({ app_id: m.appId, name: m.appId, wallet_private_key: m.privatePem, wallet_public_key: m.publicPem, merchant_public_key: m.merchantPublicPem, notify_url: null, confirm_url: null, ip_allowlist: '[]', auto_collect: 0, user_limit: 100, active: 1, created_at: Date.now() })
        .execute();
    }
  } finally {
    await store.close();
  }
}

async function walletColumn(service: Service): Promise<Map<string, string>> {
  const rows = await service.ctx.store.db.selectFrom('merchants').select(['app_id', 'wallet_private_key']).orderBy('id').execute();
  return new Map(rows.map((r) => [r.app_id, r.wallet_private_key]));
}

eachDatabase('secrets at rest', (kind) => {
  let dir: string;
  let database: TestDatabase;
  let keystorePath: string;
  const merchantPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const merchants = ['old-a', 'old-b'].map((appId) => {
    const wallet = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { appId, privatePem: pem(wallet.privateKey, 'pkcs8'), publicPem: pem(wallet.publicKey, 'spki'), merchantPublicPem: pem(merchantPair.publicKey, 'spki') };
  });
  const config = (): ServiceConfig => loadConfig({ databaseUrl: database.url, keystorePath, port: 0, logLevel: 'silent', workers: false, rsaWorkers: 1 }, {});
  const client = (url: string, m: (typeof merchants)[number]) =>
    new WaasClient({ baseUrl: url, appId: m.appId, privateKey: pem(merchantPair.privateKey, 'pkcs8'), walletPublicKey: m.publicPem });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openwaas-secrets-'));
    keystorePath = join(dir, 'keystore.json');
    database = await freshDatabase(kind);
    await initKeystore({ path: keystorePath, passphrase, ...fast });
    await asBeforeUpgrade(database.url, merchants);
  });
  after(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first start after the upgrade encrypts every plaintext wallet key; the API still answers sealed', async () => {
    const service = await createService(config(), { env: { OPENWAAS_KEY_PASSPHRASE: passphrase } });
    try {
      const stored = await walletColumn(service);
      for (const m of merchants) {
        const value = stored.get(m.appId)!;
        assert.match(value, /^v1:[A-Za-z0-9+/]+=*$/);
        assert.ok(!value.includes('PRIVATE KEY'));
        assert.equal(await merchantWalletKey(service.ctx.secrets, { app_id: m.appId, wallet_private_key: value }), m.privatePem);
      }
      const url = await service.listen();
      // The reply opens with the wallet public key: it was sealed with the decrypted private key.
      for (const m of merchants) assert.ok((await client(url, m).getCoinList()).length >= 0);
      // A merchant created now is encrypted from the start.
      const fresh = await createMerchant(service.ctx.store.db, service.ctx.secrets, { name: 'new', appId: 'new-c', nowMs: Date.now() });
      assert.match(fresh.wallet_private_key, /^v1:/);
    } finally {
      await service.close();
    }
  });

  it('a ciphertext moved to another merchant\'s row does not open', async () => {
    const service = await createService(config(), { env: { OPENWAAS_KEY_PASSPHRASE: passphrase } });
    try {
      const stored = await walletColumn(service);
      await assert.rejects(merchantWalletKey(service.ctx.secrets, { app_id: 'old-b', wallet_private_key: stored.get('old-a')! }), DataKeyError);
    } finally {
      await service.close();
    }
  });

  it('rotating the passphrase re-wraps the data key: rows untouched, the service starts with the new passphrase only', async () => {
    const before = await (async () => {
      const s = await createService(config(), { env: { OPENWAAS_KEY_PASSPHRASE: passphrase } });
      try {
        return await walletColumn(s);
      } finally {
        await s.close();
      }
    })();
    let out = '';
    const sink = new Writable({
      write(chunk, _e, done) {
        out += String(chunk);
        done();
      },
    });
    const code = await runCli(['keys', 'rotate-passphrase', '--keystore', keystorePath, '--json'], {
      stdout: sink,
      stderr: sink,
      env: { OPENWAAS_KEY_PASSPHRASE: passphrase, OPENWAAS_NEW_KEY_PASSPHRASE: newPassphrase },
      cwd: dir,
    });
    assert.equal(code, 0, out);
    await assert.rejects(createService(config(), { env: { OPENWAAS_KEY_PASSPHRASE: passphrase } }), /wrong key store passphrase/);
    const service = await createService(config(), { env: { OPENWAAS_KEY_PASSPHRASE: newPassphrase } });
    try {
      assert.deepEqual(await walletColumn(service), before);
      const url = await service.listen();
      assert.ok(Array.isArray(await client(url, merchants[0]!).getCoinList()));
    } finally {
      await service.close();
    }
  });

  it('another key store (another data key) is refused at start-up', async () => {
    const otherPath = join(dir, 'other-keystore.json');
    await initKeystore({ path: otherPath, passphrase, ...fast });
    await assert.rejects(
      createService(loadConfig({ ...config(), keystorePath: otherPath }, {}), { env: { OPENWAAS_KEY_PASSPHRASE: passphrase } }),
      (e: unknown) => e instanceof DataKeyMismatchError && /another data key/.test(e.message),
    );
    // Nor does a CLI command write a merchant under it.
    const { dataKey } = await openKeystore({ path: otherPath, passphrase });
    const store = openStore(database.url);
    try {
      const { adoptDataKey } = await import('../src/modules/merchants/index.js');
      await assert.rejects(adoptDataKey(store, dataKey, Date.now()), DataKeyMismatchError);
    } finally {
      await store.close();
    }
  });
});

describe('the SQLite file and its directory are private whatever the umask', () => {
  const root = mkdtempSync(join(tmpdir(), 'openwaas-modes-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('data directory 0700, database, -wal and -shm 0600 under umask 000', async () => {
    const previous = process.umask(0o000);
    try {
      const path = join(root, 'data', 'openwaas.sqlite');
      const store = openStore(path);
      try {
        await migrateToLatest(store);
        assert.equal(statSync(join(root, 'data')).mode & 0o777, 0o700);
        for (const file of [path, `${path}-wal`, `${path}-shm`]) {
          assert.ok(existsSync(file), file);
          assert.equal(statSync(file).mode & 0o777, 0o600, file);
        }
      } finally {
        await store.close();
      }
    } finally {
      process.umask(previous);
    }
  });
});

/** A key store as the previous version wrote it: the ciphertext holds the mnemonic only. */
function writeOldKeystore(path: string, mnemonic: string, pass: string): void {
  const salt = randomBytes(32);
  const iv = randomBytes(12);
  const kdf = { name: 'scrypt', n: 16, r: 8, p: 1, salt: salt.toString('base64') };
  const head = Buffer.from(JSON.stringify(['openwaas-keystore', 1, kdf.name, kdf.n, kdf.r, kdf.p, kdf.salt]), 'utf8');
  const keys = scryptSync(pass.normalize('NFKC'), salt, 64, { N: 16, r: 8, p: 1 });
  const cipher = createCipheriv('aes-256-gcm', keys.subarray(0, 32), iv);
  cipher.setAAD(head);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ mnemonic }), 'utf8'), cipher.final()]);
  const check = createHmac('sha256', keys.subarray(32)).update('openwaas-keystore-check\0').update(head).digest();
  const file = { format: 'openwaas-keystore', version: 1, kdf, cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') }, check: check.toString('base64'), ciphertext: ciphertext.toString('base64'), created_at: '2026-01-01T00:00:00.000Z' };
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
}

describe('a key store from before the data key', () => {
  const root = mkdtempSync(join(tmpdir(), 'openwaas-old-keystore-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('gains a data key on first open: same passphrase, same addresses, the same data key ever after', async () => {
    const path = join(root, 'keystore.json');
    const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
    writeOldKeystore(path, mnemonic, passphrase);
    const hotBefore = (await unlockKeystore({ path, passphrase })).hotAddress('evm:1');
    const first = await openKeystore({ path, passphrase });
    assert.equal(first.addedDataKey, true);
    assert.equal(first.ring?.hotAddress('evm:1'), hotBefore);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).created_at, '2026-01-01T00:00:00.000Z');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const second = await openKeystore({ path, passphrase });
    assert.equal(second.addedDataKey, false);
    assert.equal(second.dataKey.id, first.dataKey.id);
  });
});
