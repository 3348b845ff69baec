/**
 * Terminal safety of the CLI's human output: values that came from merchants and were stored
 * before the API refused control characters (seeded here straight into the database, as such
 * old rows would be) are printed with visible escapes, never as raw ESC or bidi bytes; --json
 * keeps them exact. The CLI runs in this process (its output is the same), on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { escapeForTerminal } from '../src/cli/terminal.js';
import { openStore, type Store } from '../src/store/db.js';
import { cliRunners, type CliRun as Run } from './support/cli.js';
import { databaseKinds, freshDatabase, type TestDatabase } from './support/databases.js';


/** Raw terminal-control bytes: C0 but newline, DEL, C1, separators, bidi controls. */
const rawControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const ansiEmail = 'evil\u001b[2J\u001b[31m@example.com\u0007';
const bidiAddress = '0x' + '4'.repeat(20) + '\u202e' + '5'.repeat(20);
// No NUL: PostgreSQL never stored one (it refuses it in text); SQLite may hold one, and escapeForTerminal covers it.
const ctlRequestId = 'req\u0001\u009b1;1H\u2028next';
const reason = 'looks fine\u001b]0;pwned\u0007';

describe('escapeForTerminal', () => {
  test('shows control and formatting characters as visible escapes, keeps text and newlines', () => {
    assert.equal(escapeForTerminal('a\u001b[31mb'), 'a\\x1b[31mb');
    assert.equal(escapeForTerminal('\u0000\u007f\u0085\u202e\u2066\u2028\ud800'), '\\x00\\x7f\\x85\\u202e\\u2066\\u2028\\ud800');
    assert.equal(escapeForTerminal('line 1\nline 2\tend'), 'line 1\nline 2\\x09end');
    assert.equal(escapeForTerminal('a\nb', { newlines: 'escape' }), 'a\\x0ab');
    assert.equal(escapeForTerminal('żółw 日本 😀 \\x1b'), 'żółw 日本 😀 \\x1b');
  });
});

describe('CLI human output escapes stored merchant values', async () => {
  for (const kind of await databaseKinds()) {
    describe(kind, () => {
      let dir: string;
      let database: TestDatabase;
      let store: Store;
      let env: NodeJS.ProcessEnv;
      let uid: number;
      let withdrawalId: number;

      const { cliHere } = cliRunners(() => env, () => dir);
      const cli = (...args: string[]): Promise<Run> => cliHere(args);
      const ok = (r: Run) => {
        assert.equal(r.code, 0, r.stderr);
        return r;
      };

      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'openwaas-cli-terminal-'));
        database = await freshDatabase(kind);
        const { LOG_LEVEL: _l, OPENWAAS_CONFIG: _c, OPENWAAS_OPERATOR_TOKEN: _t, ...rest } = process.env;
        env = { ...rest, DATABASE_URL: database.url, PORT: '0', OPENWAAS_INSECURE_DEV_KEYS: '1' };
        ok(await cli('migrate'));
        const keyFile = join(dir, 'merchant.pub.pem');
        writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }));
        const merchant = JSON.parse(ok(await cli('merchant', 'create', '--name', 'Shop', '--merchant-key', keyFile, '--json')).stdout) as { app_id: string };
        ok(await cli('coin', 'add', 'ETH', '--chain', 'evm:31337', '--decimals', '18', '--json'));

        // Rows as an older version would have stored them from merchants' requests.
        store = openStore(database.url);
        const db = store.db;
        const m = await db.selectFrom('merchants').select('id').where('app_id', '=', merchant.app_id).executeTakeFirstOrThrow();
        const coin = await db.selectFrom('coins').select('id').where('symbol', '=', 'ETH').executeTakeFirstOrThrow();
        const nowMs = Date.now();
        const user = await db
          .insertInto('users')
          .values({ merchant_id: Number(m.id), country: null, mobile: null, email: ansiEmail, nickname: '', frozen: 0, at_risk: 0, created_at: nowMs })
          .returning('id')
          .executeTakeFirstOrThrow();
        uid = Number(user.id);
        const w = await db
          .insertInto('withdrawals')
          .values({
            merchant_id: Number(m.id), request_id: ctlRequestId, uid, coin_id: Number(coin.id), symbol: 'ETH', amount: '1000000000000000000', withdraw_fee: '0',
            withdraw_fee_symbol: 'ETH', fee_symbol: 'ETH', real_fee: '0', address_from: '', address_to: bidiAddress, txid: '', confirmations: 0,
            saas_status: 0, company_status: 0, status: 0, withdraw_type: 1, review_reason: reason, created_at: nowMs, updated_at: nowMs,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        withdrawalId = Number(w.id);
      });
      after(async () => {
        await store?.close();
        await database?.drop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      test('user show, withdrawal list and withdrawal show print no raw control bytes', async () => {
        const [userShow, list, show] = await Promise.all([cli('user', 'show', String(uid)), cli('withdrawal', 'list'), cli('withdrawal', 'show', String(withdrawalId))]);
        for (const [label, r] of [['user show', userShow], ['withdrawal list', list], ['withdrawal show', show]] as const) {
          ok(r);
          assert.doesNotMatch(r.stdout, rawControl, `${label}: no raw control bytes in ${JSON.stringify(r.stdout)}`);
        }
        assert.ok(userShow.stdout.includes('evil\\x1b[2J\\x1b[31m@example.com\\x07'), userShow.stdout);
        assert.ok(list.stdout.includes('req\\x01\\x9b1;1H\\u2028next'), list.stdout);
        assert.ok(list.stdout.includes('0x' + '4'.repeat(20) + '\\u202e'), list.stdout);
        assert.ok(show.stdout.includes('looks fine\\x1b]0;pwned\\x07'), show.stdout);
      });

      test('--json keeps the stored values exact (JSON escapes them)', async () => {
        const userJson = ok(await cli('user', 'show', String(uid), '--json'));
        assert.doesNotMatch(userJson.stdout, rawControl);
        assert.equal((JSON.parse(userJson.stdout) as { email: string }).email, ansiEmail);
        const w = JSON.parse(ok(await cli('withdrawal', 'show', String(withdrawalId), '--json')).stdout) as { request_id: string; address_to: string };
        assert.deepEqual([w.request_id, w.address_to], [ctlRequestId, bidiAddress]);
      });

      test('an error message quoting a value is escaped too', async () => {
        const r = await cli('merchant', 'show', 'no\u001b[2Jsuch');
        assert.notEqual(r.code, 0);
        assert.doesNotMatch(r.stderr, rawControl, r.stderr);
      });
    });
  }
});
