/**
 * The operator commands of the CLI: the first admin from the host (and only while no admin
 * exists), accounts and API tokens, commands acting as the operator of their token with its
 * roles checked first, and secrets printed only by the command that makes them.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliRunners, type CliRun } from './support/cli.js';
import { databaseKinds, freshDatabase, skippedWithoutPostgres, type TestDatabase } from './support/databases.js';

const kinds = await databaseKinds();
skippedWithoutPostgres(kinds, 'operator commands (postgres)');
for (const kind of kinds) describe(`operator commands (${kind})`, () => {
  let database: TestDatabase;
  let dir: string;
  let token: string | undefined;
  const printed: string[] = [];
  const { cliHere } = cliRunners(() => ({ DATABASE_URL: database.url, OPENWAAS_INSECURE_DEV_KEYS: '1', LOG_LEVEL: 'debug', ...(token !== undefined ? { OPENWAAS_OPERATOR_TOKEN: token } : {}) }), () => dir);
  const cli = async (...args: string[]): Promise<CliRun> => {
    const run = await cliHere(args);
    printed.push(run.stdout, run.stderr);
    return run;
  };
  const as = async (who: string | undefined, ...args: string[]) => {
    const saved = token;
    token = who;
    try {
      return await cli(...args);
    } finally {
      token = saved;
    }
  };
  let root = { password: '', otpauth: '', token: '' };
  let bob = { password: '', otpauth: '', token: '', tokenId: 0 };

  before(async () => {
    database = await freshDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), 'openwaas-operators-'));
    assert.equal((await cli('migrate')).code, 0);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('runs operator commands as the host until an admin exists; the first admin gets its first API token', async () => {
    assert.equal((await cli('merchant', 'list')).code, 0, 'a fresh installation is operated from its shell');
    const add = await cli('operator', 'add', 'root', '--role', 'admin');
    assert.equal(add.code, 0, add.stderr);
    root = {
      password: /^  password\s+(\S+)$/m.exec(add.stdout)![1]!,
      otpauth: /TOTP\s+(otpauth:\/\/\S+)/.exec(add.stdout)![1]!,
      token: /\n(owa_[A-Za-z0-9_-]{43})\n/.exec(add.stdout)![1]!,
    };
    assert.match(root.otpauth, /^otpauth:\/\/totp\/OpenWaaS%3Aroot\?secret=[A-Z2-7]+/);
    // From now on the host is no operator.
    const refused = await cli('merchant', 'list');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /error \(unauthorized\): 'merchant list' acts as an operator: give your API token/);
    assert.equal((await cli('operator', 'add', 'mallory', '--role', 'admin')).code, 1);
  });

  it('creates accounts and tokens as the admin of its token; lists without secrets', async () => {
    const add = await as(root.token, 'operator', 'add', 'bob', '--role', 'viewer', '--json');
    assert.equal(add.code, 0, add.stderr);
    const enrolment = JSON.parse(add.stdout) as { operator: { name: string; roles: string[] }; password: string; otpauth_uri: string; api_token?: string };
    assert.deepEqual(enrolment.operator.roles, ['viewer']);
    assert.equal(enrolment.api_token, undefined, 'only the bootstrap admin gets a token with its account');
    bob = { ...bob, password: enrolment.password, otpauth: enrolment.otpauth_uri };

    const created = await as(root.token, 'operator', 'token', 'create', 'bob', '--expires-days', '7', '--json');
    assert.equal(created.code, 0, created.stderr);
    const t = JSON.parse(created.stdout) as { id: number; token: string; expires_at: number };
    bob = { ...bob, token: t.token, tokenId: t.id };

    const listed = await as(root.token, 'operator', 'list', '--json');
    assert.deepEqual((JSON.parse(listed.stdout) as Array<{ name: string; roles: string[] }>).map((o) => [o.name, o.roles]), [['root', ['admin']], ['bob', ['viewer']]]);
    const tokens = await as(root.token, 'operator', 'token', 'list');
    assert.match(tokens.stdout, /^id\s+name\s+created_at\s+expires_at\s+revoked_at/);
    for (const run of [listed, tokens]) for (const secret of [root.password, bob.password, root.token, bob.token, 'scrypt$', 'v1:']) assert.ok(!run.stdout.includes(secret), `no ${secret.slice(0, 8)}… in a listing`);
    assert.equal((await as(root.token, 'operator', 'add', 'bob', '--role', 'viewer')).code, 1, 'names are unique');
    assert.equal((await as(root.token, 'operator', 'add', 'nobody', '--role', 'boss')).code, 2, 'unknown role: usage');
  });

  it('checks the role before the command runs: a viewer reads but may not create, from the env or a token file', async () => {
    assert.equal((await as(bob.token, 'merchant', 'list')).code, 0);
    const denied = await as(bob.token, 'merchant', 'create', '--name', 'Not Made');
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /error \(forbidden\): 'merchant create' needs the admin role; bob holds viewer/);
    assert.equal((await as(root.token, 'merchant', 'list', '--json')).stdout.includes('Not Made'), false, 'nothing was created');
    const file = join(dir, 'bob-token');
    writeFileSync(file, bob.token + '\n', { mode: 0o600 });
    assert.equal((await as(undefined, 'merchant', 'list', '--token-file', file)).code, 0);
    assert.equal((await as(undefined, 'operator', 'token', 'create', 'bob', '--token-file', file)).code, 1, 'a viewer issues no token');
    // Roles change at once.
    assert.equal((await as(root.token, 'operator', 'set-role', 'bob', '--role', 'treasurer', '--role', 'reviewer')).code, 0);
    assert.equal((await as(bob.token, 'kyt', 'list')).code, 0);
  });

  it('refuses revoked tokens and disabled operators; a reset revokes every token', async () => {
    const second = JSON.parse((await as(root.token, 'operator', 'token', 'create', 'bob', '--json')).stdout) as { id: number; token: string };
    assert.equal((await as(root.token, 'operator', 'token', 'revoke', String(bob.tokenId))).code, 0);
    const revoked = await as(bob.token, 'merchant', 'list');
    assert.equal(revoked.code, 1);
    assert.match(revoked.stderr, /error \(unauthorized\): the operator token is revoked/);
    assert.equal((await as(second.token, 'merchant', 'list')).code, 0);
    assert.equal((await as(root.token, 'operator', 'disable', 'bob')).code, 0);
    assert.equal((await as(second.token, 'merchant', 'list')).code, 1, 'disabled: its tokens stop');
    assert.equal((await as('owa_' + 'x'.repeat(43), 'merchant', 'list')).code, 1, 'an unknown token');

    const reset = await as(root.token, 'operator', 'reset', 'root');
    assert.equal(reset.code, 0, reset.stderr);
    assert.ok(!reset.stdout.includes(root.password));
    assert.equal((await as(root.token, 'merchant', 'list')).code, 1, "a reset revokes the account's own tokens too");
  });

  it('never prints a password, TOTP secret or token except in the one command that makes it', () => {
    const secrets = [root.password, bob.password, new URL(root.otpauth).searchParams.get('secret')!, new URL(bob.otpauth).searchParams.get('secret')!, root.token, bob.token];
    for (const secret of secrets) {
      const shown = printed.filter((text) => text.includes(secret)).length;
      assert.ok(shown <= 1, `a secret printed ${shown} times`);
    }
  });
});
