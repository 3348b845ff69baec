/**
 * The operator audit trail: every mutating operator request (over real HTTP) and CLI command
 * leaves one hash-chained entry naming its actor; `openwaas audit operators` finds a modified,
 * deleted or reordered entry and names the first; appenders on one database never fork the
 * chain; the export writes one JSON line per entry; the list filters; a manual credit's
 * journal names the operator.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyOperatorAudit, type AuditEntryView } from '../src/modules/operator-audit/index.js';
import { cliRunners } from './support/cli.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

const appender = fileURLToPath(new URL('./support/append-operator-events.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');

eachDatabase('operator audit trail', (kind) => {
  let t: TestService;
  let dir: string;
  // The CLI acts as the test's admin, through its API token.
  const env = () => ({ DATABASE_URL: t.database.url, LOG_LEVEL: 'silent', OPENWAAS_OPERATOR_TOKEN: t.operatorToken });
  let adminId: number;
  const { cliHere, cliProcess } = cliRunners(env, () => dir);

  async function call(method: string, path: string, body?: unknown, auth: string | null = t.operatorToken): Promise<{ status: number; json: any }> {
    const headers: Record<string, string> = {};
    if (auth !== null) headers.authorization = `Bearer ${auth}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(t.operatorUrl! + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  /** Every entry of the trail, through the operator API, paging on. */
  async function allEntries(): Promise<AuditEntryView[]> {
    const out: AuditEntryView[] = [];
    let afterId = 0;
    for (;;) {
      const page = await call('GET', `/audit/operators?after_id=${afterId}&limit=50`);
      assert.equal(page.status, 200, JSON.stringify(page.json));
      out.push(...page.json.entries);
      if (page.json.next_after_id === null) return out;
      afterId = page.json.next_after_id;
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openwaas-operator-audit-'));
    t = await startTestService({ kind, config: { operatorApi: true } });
    adminId = (await call('GET', '/auth/me')).json.operator.id as number;
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('operator actions over HTTP are recorded with who, action, target, before/after; refusals too; reads and unauthenticated requests are not', async () => {
    const { uid } = await t.client.registerEmail({ email: `audit-${kind}@example.test` });
    assert.equal((await call('PATCH', '/coins/ETH', { confirmations: 5 })).status, 200);
    assert.equal((await call('POST', `/users/${uid}/freeze`)).status, 200);
    assert.equal((await call('PATCH', '/coins/NOPE', { confirmations: 5 })).status, 404);
    assert.equal((await call('PATCH', '/coins/ETH', { confirmations: -1 })).status, 400);
    assert.equal((await call('PATCH', '/coins/ETH', { confirmations: 3 }, 'wrong-token')).status, 401);
    assert.equal((await call('GET', '/coins')).status, 200);

    const entries = await allEntries();
    assert.deepEqual(
      entries.map((e) => [e.action, e.target, e.outcome, e.error_code]),
      [
        ['PATCH /coins/:symbol', '/coins/ETH', 'done', null],
        ['POST /users/:uid/freeze', `/users/${uid}`, 'done', null],
        ['PATCH /coins/:symbol', '/coins/NOPE', 'refused', 'not_found'],
        ['PATCH /coins/:symbol', '/coins/ETH', 'refused', 'invalid'],
        // A refused token is recorded too: who it claimed to be (nobody) and from where.
        ['auth token', '', 'refused', 'unknown_token'],
      ],
    );
    const [coin, freeze] = entries as [AuditEntryView, AuditEntryView];
    assert.equal(coin.operator_id, adminId);
    assert.equal(coin.operator_name, 'test-admin');
    assert.deepEqual(coin.roles, ['admin']);
    assert.deepEqual([entries[4]!.operator_id, entries[4]!.source_ip], [0, '127.0.0.1']);
    assert.equal(coin.source_ip, '127.0.0.1');
    assert.equal((coin.before as { confirmations: number }).confirmations, 2);
    assert.equal((coin.after as { confirmations: number }).confirmations, 5);
    assert.deepEqual(freeze.before, { frozen: false, at_risk: false });
    assert.deepEqual(freeze.after, { frozen: true, at_risk: false });
    // Each entry links to the one before it.
    assert.equal(entries[0]!.prev_hash, '0'.repeat(64));
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i]!.prev_hash, entries[i - 1]!.hash);
    assert.deepEqual((await call('GET', '/audit/operators/verify')).json, { ok: true, entries: 5, head: { id: 5, hash: entries[4]!.hash } });
  });

  test('a manual credit: its journal names the operator, and its entry commits with it', async () => {
    const { uid } = await t.client.registerEmail({ email: `credit-${kind}@example.test` });
    const credit = await call('POST', '/balances/credit', { uid: Number(uid), symbol: 'ETH', amount: '2.5', reason: 'goodwill' });
    assert.equal(credit.status, 200, JSON.stringify(credit.json));
    const journal = await t.ctx.store.db.selectFrom('journals').selectAll().where('id', '=', credit.json.journal_id).executeTakeFirstOrThrow();
    assert.deepEqual({ id: journal.operator_id, name: journal.operator_name, memo: journal.memo }, { id: adminId, name: 'test-admin', memo: 'goodwill' });
    const listed = (await call('GET', '/adjustments')).json.adjustments.find((a: { journal_id: number }) => a.journal_id === credit.json.journal_id);
    assert.equal(listed.operator_name, 'test-admin');
    assert.equal(listed.operator_id, adminId);
    // The free-form `by` is gone: the actor is who did it.
    assert.equal((await call('POST', '/balances/credit', { uid: Number(uid), symbol: 'ETH', amount: '1', reason: 'x', by: 'someone' })).status, 400);

    const page = (await call('GET', '/audit/operators?action=' + encodeURIComponent('POST /balances/credit'))).json.entries as AuditEntryView[];
    assert.deepEqual(page.map((e) => [e.target, e.outcome, e.error_code]), [[`/users/${uid}`, 'done', null], ['/balances/credit', 'refused', 'invalid']]);
    assert.equal((page[0]!.after as { journal_id: number }).journal_id, credit.json.journal_id);
    assert.equal((page[0]!.after as { amount: string }).amount, '2.5');
  });

  test('concurrent manual credits: every one journaled and recorded once, the chain unbroken', async () => {
    const { uid } = await t.client.registerEmail({ email: `many-${kind}@example.test` });
    const count = 12;
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) => call('POST', '/balances/credit', { uid: Number(uid), symbol: 'USDT', amount: '1.5', reason: `batch ${i}` })),
    );
    assert.deepEqual(answers.map((a) => a.status), Array(count).fill(200));
    assert.equal((await t.client.getByUidAndSymbol({ uid, symbol: 'USDT' })).normal_balance, '18');
    const entries = (await call('GET', `/audit/operators?target=/users/${uid}`)).json.entries as AuditEntryView[];
    assert.deepEqual(new Set(entries.map((e) => (e.after as { journal_id: number }).journal_id)), new Set(answers.map((a) => a.json.journal_id)));
    assert.equal(entries.length, count);
    assert.equal((await call('GET', '/audit/operators/verify')).json.ok, true);
  });

  test('the list filters by operator, action, target, outcome and time, and pages by id', async () => {
    const all = await allEntries();
    const refused = (await call('GET', '/audit/operators?outcome=refused')).json.entries as AuditEntryView[];
    assert.deepEqual(refused.map((e) => e.id), all.filter((e) => e.outcome === 'refused').map((e) => e.id));
    const eth = (await call('GET', '/audit/operators?target=/coins/ETH')).json.entries as AuditEntryView[];
    assert.deepEqual(eth.map((e) => e.id), all.filter((e) => e.target === '/coins/ETH').map((e) => e.id));
    assert.equal((await call(`GET`, `/audit/operators?operator_id=${adminId}`)).json.entries.length, all.filter((e) => e.operator_id === adminId).length);
    assert.ok(all.some((e) => e.operator_id !== adminId), 'refused tokens name nobody');
    assert.equal((await call('GET', '/audit/operators?operator_id=7')).json.entries.length, 0);
    const cut = all[2]!.at;
    const since = (await call('GET', `/audit/operators?from=${cut}`)).json.entries as AuditEntryView[];
    assert.deepEqual(since.map((e) => e.id), all.filter((e) => e.at >= cut).map((e) => e.id));
    const until = (await call('GET', `/audit/operators?to=${cut}`)).json.entries as AuditEntryView[];
    assert.deepEqual(until.map((e) => e.id), all.filter((e) => e.at < cut).map((e) => e.id));
    const first = (await call('GET', '/audit/operators?limit=2')).json;
    assert.deepEqual(first.entries.map((e: AuditEntryView) => e.id), [1, 2]);
    assert.equal(first.next_after_id, 2);
    assert.deepEqual((await call('GET', '/audit/operators?after_id=2&limit=2')).json.entries.map((e: AuditEntryView) => e.id), [3, 4]);
    assert.equal((await call('GET', '/audit/operators?outcome=maybe')).status, 400);
    assert.equal((await call('GET', '/audit/operators', undefined, null)).status, 401);
  });

  test('a CLI command records its entry with the CLI actor', async () => {
    const { uid } = await t.client.registerEmail({ email: `cli-${kind}@example.test` });
    const run = await cliProcess(['user', 'risk', String(uid)]);
    assert.equal(run.code, 0, run.stderr);
    const refused = await cliProcess(['user', 'risk', '99999999']);
    assert.equal(refused.code, 1);
    const mine = (await call('GET', '/audit/operators?action=' + encodeURIComponent('user risk'))).json.entries as AuditEntryView[];
    assert.deepEqual(
      mine.map((e) => [e.target, e.outcome, e.error_code, e.source_ip, e.operator_name]),
      [
        [`/users/${uid}`, 'done', null, 'cli', 'test-admin'],
        ['/users/99999999', 'refused', 'not_found', 'cli', 'test-admin'],
      ],
    );
    assert.deepEqual(mine[0]!.after, { frozen: false, at_risk: true });

    const credit = await cliProcess(['balance', 'credit', String(uid), 'ETH', '1.5', '--reason', 'cli goodwill', '--json']);
    assert.equal(credit.code, 0, credit.stderr);
    const journalId = JSON.parse(credit.stdout).journal_id as number;
    const journal = await t.ctx.store.db.selectFrom('journals').selectAll().where('id', '=', journalId).executeTakeFirstOrThrow();
    assert.deepEqual({ id: journal.operator_id, name: journal.operator_name, memo: journal.memo }, { id: adminId, name: 'test-admin', memo: 'cli goodwill' });
    const credits = (await call('GET', '/audit/operators?action=' + encodeURIComponent('balance credit'))).json.entries as AuditEntryView[];
    assert.deepEqual(credits.map((e) => [e.target, e.outcome, (e.after as { journal_id: number }).journal_id]), [[`/users/${uid}`, 'done', journalId]]);
  });

  test('decisions on records that do not exist are recorded as refused, naming the record', async () => {
    assert.equal((await call('POST', '/kyt/deposits/999999/release', {})).status, 404);
    assert.equal((await call('POST', '/withdrawals/999999/approve', {})).status, 404);
    assert.equal((await call('POST', '/sweeps/999999/retry')).status, 404);
    const refused = (await call('GET', '/audit/operators?outcome=refused')).json.entries as AuditEntryView[];
    const last = refused.slice(-3).map((e) => [e.action, e.target, e.error_code, e.before, e.after]);
    assert.deepEqual(last, [
      ['POST /kyt/deposits/:id/release', '/kyt/deposits/999999', 'not_found', null, null],
      ['POST /withdrawals/:id/approve', '/withdrawals/999999', 'not_found', null, null],
      ['POST /sweeps/:id/retry', '/sweeps/999999', 'not_found', null, null],
    ]);
  });

  test('export writes one JSON line per entry, oldest first', async () => {
    const all = await allEntries();
    const file = join(dir, 'trail.jsonl');
    const run = await cliHere(['audit', 'operators', '--export', file]);
    assert.equal(run.code, 0, run.stderr);
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    assert.deepEqual(lines.map((l) => JSON.parse(l)), all);
    const toStdout = await cliHere(['audit', 'operators', '--export', '-']);
    assert.equal(toStdout.stdout.split('\n').filter((l) => l !== '').length, all.length);
  });

  test('audit operators names the first broken entry: a modified field, a deleted entry, a swapped order', async () => {
    const db = t.ctx.store.db;
    const intact = await cliHere(['audit', 'operators']);
    assert.equal(intact.code, 0, intact.stdout + intact.stderr);
    assert.match(intact.stdout, /chain intact/);

    // A modified field.
    const third = await db.selectFrom('operator_audit').selectAll().where('id', '=', 3).executeTakeFirstOrThrow();
    await db.updateTable('operator_audit').set({ operator_name: 'somebody else' }).where('id', '=', 3).execute();
    const modified = await cliHere(['audit', 'operators', '--json']);
    assert.equal(modified.code, 1);
    assert.deepEqual(JSON.parse(modified.stdout).broken.id, 3);
    assert.equal(JSON.parse(modified.stdout).broken.kind, 'modified');
    assert.match((await cliHere(['audit', 'operators'])).stdout, /BROKEN at entry 3 \(modified\)/);
    await db.updateTable('operator_audit').set({ operator_name: third.operator_name }).where('id', '=', 3).execute();
    assert.equal((await cliHere(['audit', 'operators'])).code, 0);

    // A deleted entry.
    const second = await db.selectFrom('operator_audit').selectAll().where('id', '=', 2).executeTakeFirstOrThrow();
    await db.deleteFrom('operator_audit').where('id', '=', 2).execute();
    const deleted = await cliHere(['audit', 'operators', '--json']);
    assert.equal(deleted.code, 1);
    assert.deepEqual({ id: JSON.parse(deleted.stdout).broken.id, kind: JSON.parse(deleted.stdout).broken.kind }, { id: 2, kind: 'deleted' });
    await db.insertInto('operator_audit').values(second).execute();

    // The last entry deleted: the head still names it.
    const head = await db.selectFrom('operator_audit_head').selectAll().executeTakeFirstOrThrow();
    const last = await db.selectFrom('operator_audit').selectAll().where('id', '=', head.last_id).executeTakeFirstOrThrow();
    await db.deleteFrom('operator_audit').where('id', '=', head.last_id).execute();
    const truncated = JSON.parse((await cliHere(['audit', 'operators', '--json'])).stdout);
    assert.deepEqual({ id: truncated.broken.id, kind: truncated.broken.kind }, { id: Number(head.last_id), kind: 'deleted' });
    await db.insertInto('operator_audit').values(last).execute();

    // Two entries swapped (every column moved but the id).
    const [a, b] = await db.selectFrom('operator_audit').selectAll().where('id', 'in', [3, 4]).orderBy('id').execute();
    const { id: _a, ...aFields } = a!;
    const { id: _b, ...bFields } = b!;
    await db.updateTable('operator_audit').set(bFields).where('id', '=', 3).execute();
    await db.updateTable('operator_audit').set(aFields).where('id', '=', 4).execute();
    const swapped = await cliHere(['audit', 'operators', '--json']);
    assert.equal(swapped.code, 1);
    assert.deepEqual({ id: JSON.parse(swapped.stdout).broken.id, kind: JSON.parse(swapped.stdout).broken.kind }, { id: 3, kind: 'reordered' });
    await db.updateTable('operator_audit').set(aFields).where('id', '=', 3).execute();
    await db.updateTable('operator_audit').set(bFields).where('id', '=', 4).execute();
    assert.equal((await cliHere(['audit', 'operators'])).code, 0);
  });

  test('two processes appending at once on one database leave one unbroken chain with every entry', async () => {
    const before = (await verifyOperatorAudit(t.ctx.store.db)).entries;
    const perProcess = 40;
    const append = (operatorId: number) =>
      new Promise<void>((resolve, reject) => {
        execFile(process.execPath, ['--conditions=source', '--import', tsx, appender, t.database.url, String(operatorId), String(perProcess)], { timeout: 120_000 }, (error, _out, stderr) =>
          error ? reject(new Error(`appender ${operatorId}: ${stderr}`)) : resolve(),
        );
      });
    await Promise.all([append(1), append(2)]);
    const verdict = await verifyOperatorAudit(t.ctx.store.db);
    assert.equal(verdict.ok, true, JSON.stringify(verdict.broken));
    assert.equal(verdict.entries, before + 2 * perProcess);
    const appended = (await allEntries()).filter((e) => e.action === 'test.append');
    assert.equal(new Set(appended.map((e) => e.target)).size, 2 * perProcess);
    assert.deepEqual(new Set(appended.map((e) => e.operator_id)), new Set([1, 2]));
    assert.equal((await cliHere(['audit', 'operators'])).code, 0);
  });
});
