/**
 * The SDK's README and the migration guide name every endpoint method of WaasClient, so a
 * method added to the endpoint table cannot be left out of either.
 */
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoints, WaasClient, type EndpointName } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const migration = readFileSync(new URL('../../../docs/sdk-migration.md', import.meta.url), 'utf8');
const names = Object.keys(endpoints) as EndpointName[];

test('every endpoint is a WaasClient method', () => {
  for (const name of names) assert.equal(typeof WaasClient.prototype[name], 'function', name);
});

test("the README's method list names every endpoint method", () => {
  for (const name of names) assert.match(readme, new RegExp(`\`${name}\``), name);
});

test('the migration guide maps a vendor method to every endpoint method, with its path', () => {
  const rows = migration.split('\n').filter((line) => line.startsWith('| `'));
  for (const name of names) {
    const row = rows.find((line) => line.includes(`\`client.${name}(`));
    assert.ok(row, `no row maps to client.${name}()`);
    assert.ok(row.includes(`\`${endpoints[name].path}\``), `the row of client.${name}() names ${endpoints[name].path}`);
  }
});

test('the guides link each other', () => {
  assert.match(readme, /\]\(\.\.\/\.\.\/docs\/sdk-migration\.md\)/);
  assert.match(migration, /\]\(\.\.\/packages\/sdk\/README\.md\)/);
  const rootReadme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  assert.match(rootReadme, /\]\(docs\/sdk-migration\.md\)/);
  assert.match(rootReadme, /\]\(packages\/sdk\/README\.md\)/);
});
