/**
 * A mistyped command gets a "did you mean" naming the close commands, at the top level and
 * inside a group; a word close to nothing gets none; a usage error prints the help of the
 * command that was run. The CLI runs in this process.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { runCli } from '../src/cli/run.js';
import { suggestionsFor } from '../src/cli/suggest.js';

async function run(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  stdout.resume();
  const code = await runCli(argv, { stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, stderr: err };
}

describe('did you mean', () => {
  test('close names first, prefixes count, at most three, nothing when far', () => {
    assert.deepEqual(suggestionsFor('opertor', ['operator', 'merchant', 'audit']), ['operator']);
    assert.deepEqual(suggestionsFor('withdraw', ['withdrawal', 'merchant']), ['withdrawal']);
    assert.deepEqual(suggestionsFor('lst', ['list', 'show', 'last']), ['last', 'list']);
    assert.deepEqual(suggestionsFor('xyzzy', ['operator', 'merchant']), []);
  });

  test('a mistyped top-level command names the command meant, exit 2', async () => {
    const r = await run('merchnt');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "merchnt"\. Did you mean "merchant"\?/);
  });

  test('a mistyped subcommand names the full command meant', async () => {
    const r = await run('merchant', 'lst');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "merchant lst"\. Did you mean "merchant list"\?/);
  });

  test('no suggestion when nothing is close', async () => {
    const r = await run('qqqqqqq');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "qqqqqqq"\.\n/);
    assert.doesNotMatch(r.stderr, /Did you mean/);
  });
});

describe('usage errors print the help of the command that was run', () => {
  test('a bad argument to sandbox deposit prints sandbox deposit\'s usage, not the sandbox start\'s', async () => {
    const r = await run('sandbox', 'deposit', '1', 'ETH', 'lots');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /amount lots is not a decimal amount/);
    assert.match(r.stderr, /Usage: openwaas sandbox deposit <uid> <symbol> <amount>/);
    assert.doesNotMatch(r.stderr, /--no-chain/);
  });
});
