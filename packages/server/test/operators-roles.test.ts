/**
 * Authorisation everywhere: the role table of docs/operators.md is the one the contract and
 * the CLI declare, every operator route answers every role as that table says (403 `forbidden`
 * before any work, or not), and every CLI operator command declares a role.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { operatorEndpoints } from '../src/contracts/operator.js';
import { cliCommandRoles, operatorsDocPath, renderRoleTable, roleTableEnd, roleTableStart } from '../src/cli/roles-doc.js';
import { operatorRoles, type OperatorRole } from '../src/modules/operators/index.js';
import { operatorCall } from './support/operators.js';
import { cliRunners } from './support/cli.js';
import { freshDatabase, type TestDatabase } from './support/databases.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

const page = readFileSync(fileURLToPath(new URL(`../../../${operatorsDocPath}`, import.meta.url)), 'utf8');

/** The table's rows: what → which roles may ("yes"). */
function documented(): Map<string, Set<OperatorRole>> {
  const table = page.slice(page.indexOf(roleTableStart), page.indexOf(roleTableEnd));
  const rows = new Map<string, Set<OperatorRole>>();
  for (const line of table.split('\n')) {
    const m = /^\| `([^`]+)` \| [^|]+ \| (.+) \|$/.exec(line);
    if (!m) continue;
    const marks = m[2]!.split(' | ');
    rows.set(m[1]!, new Set(operatorRoles.filter((_r, i) => marks[i] === 'yes')));
  }
  return rows;
}

describe('the role table', () => {
  it('is current: npm run docs:operators writes what the contract and the CLI declare', () => {
    const a = page.indexOf(roleTableStart);
    const b = page.indexOf(roleTableEnd);
    assert.ok(a >= 0 && b > a, 'the page keeps its markers');
    assert.equal(page.slice(a, b + roleTableEnd.length), renderRoleTable(), 'run npm run docs:operators');
  });

  it('lists every route and every CLI operator command; only non-operator commands have no role', () => {
    const rows = documented();
    for (const key of Object.keys(operatorEndpoints)) assert.ok(rows.has(key), key);
    const withoutRole = cliCommandRoles()
      .filter((c) => c.role === undefined)
      .map((c) => c.command)
      .sort();
    // Local commands: they work on files, the database or the sandbox, never through an operator's token.
    assert.deepEqual(withoutRole, [
      'backup', 'config check', 'demo', 'keys init', 'keys rotate-passphrase', 'keys show-addresses', 'migrate', 'restore',
      'sandbox deposit', 'sandbox trigger confirm', 'sandbox trigger deposit', 'sandbox trigger withdraw', 'serve',
    ]);
    for (const c of cliCommandRoles()) if (c.role) assert.ok(rows.has(`openwaas ${c.command}`), c.command);
  });

  it('lets admin do everything and viewer only read (GET) and its own session', () => {
    for (const [what, roles] of documented()) {
      assert.ok(roles.has('admin'), `${what}: admin`);
      if (what.startsWith('GET ')) assert.equal(roles.size, 4, `${what}: every role reads`);
    }
  });
});

/** A concrete path for a route key: parameters filled with values that name nothing. */
function concrete(key: string): { method: string; path: string } {
  const [method, pattern] = key.split(' ') as [string, string];
  const path = pattern.replace(/:(\w+)/g, (_m, name: string) => (name === 'id' || name === 'uid' ? '999999' : name === 'address' ? '0x000000000000000000000000000000000000dead' : 'NOPE'));
  return { method, path };
}

eachDatabase('every route, every role', (kind) => {
  let t: TestService;
  const tokens = new Map<OperatorRole, string>();

  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true } });
    for (const role of operatorRoles) tokens.set(role, await t.operatorTokenFor([role], `walk-${role}`));
  });
  after(() => t?.close());

  it('answers 403 forbidden exactly where the table says the role may not, whatever the body', async () => {
    const table = documented();
    const mismatches: string[] = [];
    for (const key of Object.keys(operatorEndpoints)) {
      if (key === 'POST /auth/login') continue; // no token: its own tests
      const { method, path } = concrete(key);
      for (const role of operatorRoles) {
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        const r = await operatorCall(t, method, path, { token: tokens.get(role)!, ...(body !== undefined ? { body } : {}) });
        const allowed = table.get(key)!.has(role);
        const forbidden = r.status === 403 && r.json?.error === 'forbidden';
        if (r.status === 401 || r.status === 429) mismatches.push(`${key} as ${role}: ${r.status} (the token should authenticate)`);
        else if (allowed === forbidden) mismatches.push(`${key} as ${role}: ${r.status} ${r.json?.error ?? ''}, the table says ${allowed ? 'allowed' : 'forbidden'}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('an operator holding several roles gets the union of what they allow', async () => {
    const both = await t.operatorTokenFor(['reviewer', 'treasurer'], 'walk-both');
    assert.notEqual((await operatorCall(t, 'POST', '/withdrawals/999999/approve', { token: both, body: {} })).status, 403);
    assert.notEqual((await operatorCall(t, 'POST', '/balances/credit', { token: both, body: {} })).status, 403);
    assert.equal((await operatorCall(t, 'POST', '/merchants', { token: both, body: { name: 'x' } })).status, 403);
  });
});

describe('every CLI operator command, every role (sqlite)', () => {
  let database: TestDatabase;
  let dir: string;
  let token: string | undefined;
  const { cliHere } = cliRunners(() => ({ DATABASE_URL: database.url, OPENWAAS_INSECURE_DEV_KEYS: '1', LOG_LEVEL: 'silent', ...(token !== undefined ? { OPENWAAS_OPERATOR_TOKEN: token } : {}) }), () => dir);
  const as = async (who: string | undefined, args: string[]) => {
    token = who;
    return cliHere(args);
  };
  const tokens = new Map<OperatorRole, string>();

  before(async () => {
    database = await freshDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'openwaas-roles-'));
    assert.equal((await as(undefined, ['migrate'])).code, 0);
    const root = await as(undefined, ['operator', 'add', 'root', '--role', 'admin', '--json']);
    const rootToken = (JSON.parse(root.stdout) as { api_token: string }).api_token;
    // Each account's token is handed over while it is a viewer; its role follows (with root the only admin so far, at once).
    for (const role of operatorRoles) {
      assert.equal((await as(rootToken, ['operator', 'add', `cli-${role}`, '--role', 'viewer'])).code, 0);
      tokens.set(role, (JSON.parse((await as(rootToken, ['operator', 'token', 'create', `cli-${role}`, '--json'])).stdout) as { token: string }).token);
      if (role !== 'viewer') assert.equal((await as(rootToken, ['operator', 'set-role', `cli-${role}`, '--role', role])).code, 0);
    }
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('refuses each command with forbidden, before it runs, exactly where the table says the role may not', async () => {
    const table = documented();
    const mismatches: string[] = [];
    for (const { command, role: least } of cliCommandRoles()) {
      if (least === undefined) continue;
      const allowed = table.get(`openwaas ${command}`)!;
      for (const role of operatorRoles) {
        // The fewest placeholder arguments the command's parser takes: the role is checked next, before any of its own checks.
        let answer: { code: number; stderr: string } | undefined;
        for (let count = 0; count <= 3 && (answer === undefined || answer.code === 2); count++) {
          answer = await as(tokens.get(role)!, [...command.split(' '), ...Array.from({ length: count }, () => 'placeholder')]);
          if (/\(forbidden\)/.test(answer.stderr)) break;
        }
        const forbidden = /error \(forbidden\)/.test(answer!.stderr);
        if (/\(unauthorized\)/.test(answer!.stderr)) mismatches.push(`${command} as ${role}: the token should authenticate`);
        else if (allowed.has(role) === forbidden) mismatches.push(`${command} as ${role}: ${forbidden ? 'forbidden' : `exit ${answer!.code}`}, the table says ${allowed.has(role) ? 'allowed' : 'forbidden'}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });
});
