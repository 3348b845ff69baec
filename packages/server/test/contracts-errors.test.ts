import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ErrorCode, errorEntries, errorMessages, errorRegistry, isKnownErrorCode } from '@openwaas/sdk';
import { operatorErrorRegistry, operatorErrorStatus } from '../src/contracts/errors.js';
import { errorsDocPath, renderErrorsDoc } from '../src/contracts/errors-doc.js';
import { adminErrorStatus } from '../src/errors/admin-errors.js';

const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Every .ts file under the server's src/, with its text. */
function sources(dir = srcDir): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push({ path: path.slice(srcDir.length), text: readFileSync(path, 'utf8') });
  }
  return out;
}

const merchantEntries = Object.entries(errorRegistry).map(([name, e]) => ({ name, ...e }));
const operatorEntries = Object.entries(operatorErrorRegistry).map(([key, e]) => ({ key, ...e }));

describe('merchant API error registry', () => {
  test('codes and names are unique, codes are decimal strings, every entry is complete', () => {
    const codes = merchantEntries.map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length, 'a code is registered twice');
    for (const e of merchantEntries) {
      assert.match(e.code, /^\d+$/, e.name);
      assert.ok(e.message.length > 0 && e.meaning.length > 0, e.name);
      assert.equal(e.httpStatus, 200, `${e.name}: HTTP ${e.httpStatus}`);
      assert.equal(typeof e.retired, 'boolean', e.name);
    }
  });

  test('ErrorCode, errorMessages and errorEntries are views of the registry', () => {
    assert.deepEqual(Object.keys(ErrorCode), Object.keys(errorRegistry));
    for (const e of merchantEntries) {
      assert.equal(ErrorCode[e.name as keyof typeof ErrorCode], e.code);
      assert.equal(errorMessages[e.code as ErrorCode], e.message);
      assert.equal(errorEntries[e.code as ErrorCode].name, e.name);
      assert.ok(isKnownErrorCode(e.code));
    }
    assert.equal(isKnownErrorCode('999999'), false);
  });

  test('the server never answers a retired code', () => {
    const files = sources();
    for (const e of merchantEntries.filter((x) => x.retired)) {
      for (const f of files) {
        assert.ok(!new RegExp(`ErrorCode\\.${e.name}\\b`).test(f.text), `${f.path} uses retired ErrorCode.${e.name}`);
        assert.ok(!new RegExp(`['"\`]${e.code}['"\`]`).test(f.text), `${f.path} holds retired code ${e.code}`);
      }
    }
  });

  test('every code the server names is registered and live', () => {
    const live = new Set<string>(merchantEntries.filter((e) => !e.retired).map((e) => e.name));
    const liveCodes = new Set<string>(merchantEntries.filter((e) => !e.retired).map((e) => e.code));
    const names = new Set<string>();
    for (const f of sources()) {
      for (const m of f.text.matchAll(/ErrorCode\.([A-Za-z]+)/g)) names.add(m[1]!);
      // A code written as a literal (`code: '110088'`, `new ApiError('110088')`) must be a live registry code too.
      for (const m of f.text.matchAll(/(?:\bcode\s*[:=]\s*|ApiError\(\s*)['"`](\d+)['"`]/g)) assert.ok(liveCodes.has(m[1]!), `${f.path}: literal code ${m[1]} is not a live registry code`);
    }
    assert.ok(names.size > 10, 'the scan found the server using ErrorCode');
    for (const name of names) assert.ok(live.has(name), `the server uses ErrorCode.${name}, which is not a live registry entry`);
  });
});

describe('operator API error registry', () => {
  test('codes are unique, keyed by themselves, and complete', () => {
    const codes = operatorEntries.map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const e of operatorEntries) {
      assert.equal(e.key, e.code);
      assert.match(e.code, /^[a-z_]+$/);
      assert.ok(e.message.length > 0 && e.meaning.length > 0, e.code);
      assert.ok(e.httpStatus >= 400 && e.httpStatus < 600, e.code);
    }
  });

  test('the statuses AdminError and the routes answer come from the registry', () => {
    for (const e of operatorEntries) assert.equal(operatorErrorStatus[e.key as keyof typeof operatorErrorStatus], e.httpStatus);
    assert.deepEqual(Object.keys(adminErrorStatus).sort(), operatorEntries.map((e) => e.code).filter((c) => c !== 'internal').sort());
  });

  test('every operator error code the server names is registered and live, and none retired is used', () => {
    const live = new Set<string>(operatorEntries.filter((e) => !e.retired).map((e) => e.code));
    const used = new Set<string>();
    for (const f of sources()) {
      for (const m of f.text.matchAll(/new AdminError\('([a-z_]+)'/g)) used.add(m[1]!);
      for (const m of f.text.matchAll(/\{ error: '([a-z_]+)'/g)) used.add(m[1]!);
    }
    assert.ok(used.size >= 5, `the scan found operator codes: ${[...used].join(', ')}`);
    for (const code of used) assert.ok(live.has(code), `the server answers operator code ${code}, which is not a live registry entry`);
  });
});

describe('docs/errors.md', () => {
  const page = readFileSync(join(repoRoot, errorsDocPath), 'utf8');
  /** Table rows of the page: cells split on unescaped pipes. */
  const rows = page
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| code '))
    .map((l) => l.slice(2, -2).split(/ (?<!\\)\| /).map((c) => c.replace(/\\\|/g, '|')));

  test('lists every registry entry with the same message, status and retired flag, and nothing else', () => {
    const merchantRows = rows.filter((r) => r.length === 7);
    const operatorRows = rows.filter((r) => r.length === 5);
    assert.equal(merchantRows.length + operatorRows.length, rows.length, 'a row of an unknown shape');
    assert.deepEqual(merchantRows.map((r) => r[0]), merchantEntries.map((e) => e.code), 'merchant codes in the page');
    for (const [i, e] of merchantEntries.entries()) {
      const r = merchantRows[i]!;
      assert.deepEqual([r[1], r[2], r[3], r[4], r[6]], [e.name, e.message, String(e.httpStatus), 'plainHttpStatus' in e ? String(e.plainHttpStatus) : '—', e.retired ? 'yes' : 'no'], e.code);
    }
    assert.deepEqual(operatorRows.map((r) => r[0]), operatorEntries.map((e) => e.code), 'operator codes in the page');
    for (const [i, e] of operatorEntries.entries()) {
      const r = operatorRows[i]!;
      assert.deepEqual([r[1], r[2], r[4]], [e.message, String(e.httpStatus), e.retired ? 'yes' : 'no'], e.code);
    }
  });

  test('is what `npm run docs:errors` writes (run it after changing a registry)', () => {
    assert.equal(page, renderErrorsDoc());
  });
});
