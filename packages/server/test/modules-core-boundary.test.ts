/**
 * The ledger, merchants, coins, transfers, alerts, leases and envelopes modules keep their SQL
 * in their repositories: no query outside `repository*.ts`, no import of another module's
 * inner files (only its index, or a cross-owner query file named `repository-<owner>.ts`
 * waiting to be folded into its repository), no dialect-dependent locking, and the operator
 * actions and the lease worker hold no SQL of their own.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const modules = ['ledger', 'merchants', 'coins', 'transfers', 'alerts', 'leases', 'envelopes'];
const sqlCall = /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/;

function moduleFiles(name: string): Array<{ path: string; text: string }> {
  const dir = join(src, 'modules', name);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ path: `modules/${name}/${f}`, text: readFileSync(join(dir, f), 'utf8') }));
}

describe('core module boundaries', () => {
  it('writes SQL only in repository files', () => {
    const offenders = modules.flatMap(moduleFiles).filter((f) => !/\/repository(-[a-z]+)?\.ts$/.test(f.path) && sqlCall.test(f.text));
    assert.deepEqual(offenders.map((f) => f.path), []);
  });

  it('leaves the operator actions and the lease worker without SQL', () => {
    for (const path of ['operator/actions.ts', 'workers/lease.ts']) assert.equal(sqlCall.test(readFileSync(join(src, path), 'utf8')), false, path);
  });

  it('imports other modules only through their index (or a cross-owner query file)', () => {
    const offenders: string[] = [];
    for (const name of modules) {
      for (const f of moduleFiles(name)) {
        for (const [, target] of f.text.matchAll(/from '\.\.\/([^'.][^']*)'/g)) {
          if (!target || target.startsWith('.')) continue;
          const [other, file] = target.split('/');
          if (other !== name && file !== 'index.js' && !/^repository-[a-z]+\.js$/.test(file ?? '')) offenders.push(`${f.path} → ${target}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('decides no row locking by dialect', () => {
    const offenders = modules.flatMap(moduleFiles).filter((f) => /\bdialect\b/i.test(f.text));
    assert.deepEqual(offenders.map((f) => f.path), []);
  });
});
