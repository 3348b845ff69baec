/** Change requests from the CLI: a sensitive command of one admin waits for another's `change approve`. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliRunners } from './support/cli.js';
import { databaseKinds, freshDatabase, skippedWithoutPostgres, type TestDatabase } from './support/databases.js';

const kinds = await databaseKinds();
skippedWithoutPostgres(kinds, 'change request commands (postgres)');
for (const kind of kinds) describe(`change request commands (${kind})`, () => {
  let database: TestDatabase;
  let dir: string;
  let token: string | undefined;
  const { cliHere } = cliRunners(() => ({ DATABASE_URL: database.url, OPENWAAS_INSECURE_DEV_KEYS: '1', ...(token !== undefined ? { OPENWAAS_OPERATOR_TOKEN: token } : {}) }), () => dir);
  const as = async (who: string | undefined, ...args: string[]) => {
    token = who;
    return cliHere(args);
  };
  let root = '';
  let ann = '';

  before(async () => {
    database = await freshDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), 'openwaas-changes-'));
    assert.equal((await as(undefined, 'migrate')).code, 0);
    const add = await as(undefined, 'operator', 'add', 'root', '--role', 'admin');
    root = /\n(owa_[A-Za-z0-9_-]{43})\n/.exec(add.stdout)![1]!;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('with one admin, changes apply directly and operator list says they are not four-eyed yet', async () => {
    assert.equal((await as(root, 'operator', 'add', 'bob', '--role', 'viewer')).code, 0);
    const listed = await as(root, 'operator', 'list');
    assert.match(listed.stdout, /note: admin changes are not four-eyed yet/);
    const direct = await as(root, 'operator', 'set-role', 'bob', '--role', 'reviewer', '--json');
    assert.equal(direct.code, 0, direct.stderr);
    assert.deepEqual(JSON.parse(direct.stdout).roles, ['reviewer']);
  });

  it('with two admins a role change waits; its requester cannot approve it; the other admin does', async () => {
    // ann's token is handed over while she is a viewer; the admin role, with one admin so far, applies at once.
    assert.equal((await as(root, 'operator', 'add', 'ann', '--role', 'viewer')).code, 0);
    ann = JSON.parse((await as(root, 'operator', 'token', 'create', 'ann', '--json')).stdout).token;
    assert.equal((await as(root, 'operator', 'set-role', 'ann', '--role', 'admin')).code, 0);
    // Now two admins: a token for another admin is theirs to ask for.
    const forAnn = await as(root, 'operator', 'token', 'create', 'ann');
    assert.equal(forAnn.code, 1);
    assert.match(forAnn.stderr, /issues their own API tokens/);
    assert.doesNotMatch((await as(root, 'operator', 'list')).stdout, /not four-eyed/);

    const asked = await as(root, 'operator', 'set-role', 'bob', '--role', 'treasurer');
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(asked.stdout, /change request (\d+) waits for another admin's approval/);
    const id = /change request (\d+)/.exec(asked.stdout)![1]!;
    const roles = async () => (JSON.parse((await as(root, 'operator', 'list', '--json')).stdout) as Array<{ name: string; roles: string[] }>).find((o) => o.name === 'bob')!.roles;
    assert.deepEqual(await roles(), ['reviewer'], 'nothing changes before the approval');

    const own = await as(root, 'change', 'approve', id);
    assert.equal(own.code, 1);
    assert.match(own.stderr, /own_change_request/);
    const pending = JSON.parse((await as(root, 'change', 'list', '--state', 'pending', '--json')).stdout) as Array<{ id: number; kind: string }>;
    assert.deepEqual(pending.map((r) => [r.id, r.kind]), [[Number(id), 'PUT /operators/:name/roles']]);

    const approved = await as(ann, 'change', 'approve', id, '--json');
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(JSON.parse(approved.stdout).state, 'approved');
    assert.deepEqual(await roles(), ['treasurer']);
    const shown = await as(root, 'change', 'show', id);
    assert.match(shown.stdout, /decided_by\s+ann/);
  });

  it('a rejected blacklist removal leaves the address listed', async () => {
    const address = '0x' + 'c'.repeat(40);
    assert.equal((await as(root, 'blacklist', 'add', address, '--reason', 'phishing')).code, 0);
    const asked = await as(ann, 'blacklist', 'remove', address, '--json');
    assert.equal(asked.code, 0, asked.stderr);
    const request = JSON.parse(asked.stdout) as { id: number; state: string; before: { address: string } };
    assert.equal(request.state, 'pending');
    assert.equal(request.before.address, address);
    assert.equal((await as(root, 'change', 'reject', String(request.id))).code, 2, 'a rejection needs --reason');
    const rejected = await as(root, 'change', 'reject', String(request.id), '--reason', 'still phishing');
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.match(rejected.stdout, /state\s+rejected/);
    assert.match((await as(root, 'blacklist', 'list')).stdout, new RegExp(address));
  });
});
