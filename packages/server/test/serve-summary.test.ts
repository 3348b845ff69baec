/**
 * `openwaas serve` as an operator starts it: one start-up summary (database with its password
 * hidden, migrations, each chain with its node, head and confirmations, hot and fee wallets, key
 * source, listeners, workers), the operator API on its own port, and the retired shared token
 * refused before anything starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strict as assert } from 'node:assert';
import { after, before, it } from 'node:test';
import { startAnvil, type AnvilInstance } from '../src/chains/evm/anvil.js';
import { upsertCoin } from '../src/modules/coins/index.js';
import { initKeystore } from '../src/keys/keystore.js';
import { openStore } from '../src/store/db.js';
import { latestMigrationName } from '../src/store/migrate.js';
import type { StartupSummary } from '../src/startup-summary.js';
import { spawnCli, untilOutput, type CliChild } from './support/cli.js';
import { freshDatabase, type TestDatabase } from './support/databases.js';
import { eachDatabase, testCoins } from './support/service.js';

const startTimeoutMs = 60_000;
/** A bearer token no operator holds: it must never be echoed. */
const operatorToken = 'owa_serve-summary-unknown-token-0123456789abcdef';
const passphrase = 'serve-summary-passphrase';
const dbPassword = 'pw-never-printed-42';

function runServe(args: string[], env: Record<string, string>, cwd: string): CliChild {
  const { OPENWAAS_CONFIG: _c, OPENWAAS_OPERATOR_TOKEN: _t, DATABASE_URL: _d, PORT: _p, HOST: _h, LOG_LEVEL: _l, OPENWAAS_CHAINS: _ch, ...inherited } = process.env;
  return spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--operator-port', '0', ...args], { env: { ...inherited, LOG_LEVEL: 'warn', ...env }, cwd });
}

const waitUntil = <T>(run: CliChild, what: string, check: () => T | undefined): Promise<T> => untilOutput(run, what, check, startTimeoutMs);

/** A loopback port nobody listens on: a node that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

eachDatabase('serve start-up summary', (kind) => {
  let database: TestDatabase;
  let anvil: AnvilInstance;
  let dir: string;
  let env: Record<string, string>;
  let hot: string;
  let fee: string;

  before(async () => {
    database = await freshDatabase(kind);
    anvil = await startAnvil({});
    dir = mkdtempSync(join(tmpdir(), 'openwaas-serve-summary-'));
    const keystorePath = join(dir, 'keystore.json');
    const { ring } = await initKeystore({ path: keystorePath, passphrase, kdf: { logN: 10 }, insecureKdfForTests: true });
    hot = ring.hotAddress('evm:31337');
    fee = ring.feeAddress('evm:31337');
    ring.lock();
    let databaseUrl = database.url;
    if (kind === 'postgres') {
      const u = new URL(database.url);
      u.password = dbPassword;
      databaseUrl = u.toString();
    }
    env = {
      DATABASE_URL: databaseUrl,
      OPENWAAS_KEYSTORE: keystorePath,
      OPENWAAS_KEY_PASSPHRASE: passphrase,
      OPENWAAS_OPERATOR_API: '1',
      OPENWAAS_CHAINS: JSON.stringify([{ id: 'evm:31337', rpcUrl: anvil.rpcUrl, pollIntervalMs: 200 }]),
    };
  });
  after(async () => {
    await anvil?.stop();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints one summary block: redacted database, migrations applied, the chain with its head, wallets, keys, listeners, workers', async () => {
    const run = runServe([], env, dir);
    try {
      await waitUntil(run, 'the listening line', () => (run.lines().some((l) => l.startsWith('OpenWaaS listening on')) ? true : undefined));
      const out = run.lines().join('\n');
      const line = (label: string) => run.lines().find((l) => l.trimStart().startsWith(label)) ?? assert.fail(`no "${label}" line in:\n${out}`);
      if (kind === 'postgres') assert.match(line('database'), /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
      else assert.equal(line('database').split(/\s+/).at(-1), database.url);
      assert.match(line('migrations'), new RegExp(`applied now: 001_initial, .*; current ${latestMigrationName()}`));
      assert.match(line('chain evm:31337'), /node http:\/\/127\.0\.0\.1:\d+ reachable, head \d+; confirmations no coins/);
      assert.ok(line('hot wallet').endsWith(hot));
      assert.ok(line('fee wallet').endsWith(fee));
      assert.match(line('keys'), /keystore/);
      const merchant = line('merchant API').split(/\s+/).at(-1)!;
      const operator = line('operator API').split(/\s+/).at(-1)!;
      assert.match(merchant, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(operator, /^http:\/\/127\.0\.0\.1:\d+\/operator\/v1$/);
      assert.notEqual(new URL(operator).port, new URL(merchant).port);
      // The console is served on the operator listener.
      assert.equal(line('console').split(/\s+/).at(-1), `${new URL(operator).origin}/console/`);
      // No admin yet: sensitive admin changes would apply on one admin's word, and the summary says so.
      assert.match(line('admin changes'), /NOT four-eyed yet/);
      assert.match(line('workers'), /on$/);
      // The operator API answers on its own port (a token no operator holds: 401), not on the merchant's.
      assert.equal((await fetch(`${operator}/merchants`, { headers: { authorization: `Bearer ${operatorToken}` } })).status, 401);
      assert.equal((await fetch(`${merchant}/operator/v1/merchants`, { headers: { authorization: `Bearer ${operatorToken}` } })).status, 404);
      const all = out + run.stderr();
      for (const secret of [dbPassword, operatorToken, passphrase]) assert.ok(!all.includes(secret), `output shows a secret`);
    } finally {
      await run.stop();
    }
  });

  it('with --json keeps one line and adds the summary; shows an unreachable node and workers off', async () => {
    const store = openStore(database.url);
    try {
      await upsertCoin(store.db, { ...testCoins.ETH, nowMs: Date.now() });
    } finally {
      await store.close();
    }
    const deadNode = `http://127.0.0.1:${await closedPort()}`;
    const chains = [
      { id: 'evm:31337', rpcUrl: anvil.rpcUrl, pollIntervalMs: 200 },
      { id: 'evm:5', rpcUrl: deadNode, pollIntervalMs: 200 },
    ];
    const run = runServe(['--json', '--no-workers'], { ...env, OPENWAAS_CHAINS: JSON.stringify(chains) }, dir);
    try {
      const parsed = await waitUntil(run, 'the JSON line', () => {
        const json = run.lines().find((l) => l.startsWith('{') && l.includes('"summary"'));
        return json ? (JSON.parse(json) as { url: string; operator: string; workers: boolean; summary: StartupSummary }) : undefined;
      });
      const s = parsed.summary;
      assert.equal(parsed.workers, false);
      assert.equal(s.workers, false);
      assert.deepEqual(s.migrations, { appliedNow: [], current: latestMigrationName() });
      assert.equal(s.keySource, 'keystore');
      assert.equal(s.listeners.merchant, parsed.url);
      assert.equal(`${s.listeners.operator}/operator/v1`, parsed.operator);
      const [local, dead] = s.chains;
      assert.equal(local?.id, 'evm:31337');
      assert.equal(local?.reachable, true);
      assert.equal(typeof local?.head, 'number');
      assert.deepEqual(local?.confirmations, { ETH: testCoins.ETH.confirmations });
      assert.equal(local?.hotAddress, hot);
      assert.equal(dead?.id, 'evm:5');
      assert.equal(dead?.reachable, false);
      assert.equal(dead?.head, null);
      assert.ok(dead?.error);
      assert.ok(!run.lines().join('\n').includes(dbPassword));
    } finally {
      await run.stop();
    }
  });

  it('refuses the retired shared operator token before starting, naming what to do instead', async () => {
    const hash = 'ab'.repeat(32);
    const run = runServe([], { ...env, OPENWAAS_OPERATOR_TOKEN_HASH: hash }, dir);
    const code = await run.exited;
    assert.notEqual(code, 0);
    assert.match(run.stderr(), /OPENWAAS_OPERATOR_TOKEN_HASH: the shared operator token is retired; set operatorApi \(OPENWAAS_OPERATOR_API=1\) and create operator accounts with 'openwaas operator add'/);
    assert.ok(!run.stderr().includes(hash));
    assert.ok(!run.lines().some((l) => l.startsWith('OpenWaaS listening')));
  });
});
