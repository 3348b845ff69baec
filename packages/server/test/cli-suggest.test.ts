/**
 * A mistyped command gets a "did you mean" naming the close commands, at the top level and
 * inside a group; a word close to nothing gets none; a usage error prints the help of the
 * command that was run; a command that finds no chains while a sandbox runs says where its
 * settings are. The CLI runs in this process.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/run.js';
import { suggestionsFor } from '../src/cli/suggest.js';

async function runIn(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await runCli(argv, { stdout, stderr, env, cwd });
  return { code, stdout: out, stderr: err };
}

const run = (...argv: string[]) => runIn(argv, {}, process.cwd());

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

describe('a sandbox running beside an unconfigured shell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openwaas-hint-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { DATABASE_URL: join(dir, 'data', 'openwaas.sqlite'), OPENWAAS_INSECURE_DEV_KEYS: '1' };

  test('chain status with no chains names the sandbox\'s env file while one runs, and only then', async () => {
    assert.equal((await runIn(['migrate'], env, dir)).code, 0);
    const alone = await runIn(['chain', 'status'], env, dir);
    assert.equal(alone.code, 0, alone.stderr);
    assert.equal(alone.stdout, 'no chains configured (settings: chains / OPENWAAS_CHAINS)\n');
    // A sandbox's lock, held by a live process (this one).
    mkdirSync(join(dir, '.openwaas', 'demo'), { recursive: true });
    writeFileSync(join(dir, '.openwaas', 'demo', 'sandbox.lock'), JSON.stringify({ pid: process.pid, started_at: new Date().toISOString() }));
    const hinted = await runIn(['chain', 'status'], env, dir);
    assert.equal(hinted.code, 0, hinted.stderr);
    assert.match(hinted.stdout, /a sandbox is running in .*\.openwaas\/demo: its settings are in .*env — run '\. .*env' in this shell/);
  });
});
