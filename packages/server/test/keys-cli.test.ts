import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Io } from '../src/cli/args.js';
import { runCli } from '../src/cli/run.js';
import { HdAddressAllocator } from '../src/keys/address-allocator.js';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const testMnemonic = 'test test test test test test test test test test test junk';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('openwaas keys (child processes, production scrypt cost)', () => {
  let dir: string;
  let base: NodeJS.ProcessEnv;

  function cli(args: string[], env: NodeJS.ProcessEnv = {}, input = ''): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, main, ...args], { env: { ...base, ...env }, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(input);
    });
  }
  const json = (r: Run) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'openwaas-keys-cli-'));
    const { LOG_LEVEL: _l, OPENWAAS_CONFIG: _c, OPENWAAS_KEY_PASSPHRASE: _p, OPENWAAS_NEW_KEY_PASSPHRASE: _n, OPENWAAS_KEYSTORE: _k, ...rest } = process.env;
    base = rest;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The same CLI in this process (no start-up cost): for the failure paths. */
  async function inProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void) =>
      new Writable({
        write(chunk, _enc, cb) {
          append(String(chunk));
          cb();
        },
      });
    const io: Io = { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env: { ...base, ...env }, cwd: dir };
    const code = await runCli(args, io);
    return { code, stdout, stderr };
  }

  test('init, show-addresses, rotate-passphrase, import with --show-mnemonic (child processes)', async () => {
    const pass = { OPENWAAS_KEY_PASSPHRASE: 'first passphrase 123' };
    const imported = { OPENWAAS_KEY_PASSPHRASE: 'import passphrase 789', OPENWAAS_KEYSTORE: 'imported/keystore.json' };
    const [init, reveal] = await Promise.all([
      cli(['keys', 'init', '--json'], pass),
      cli(['keys', 'init', '--mnemonic-from-stdin', '--show-mnemonic'], imported, `${testMnemonic}\n`),
    ]);
    const created = json(init);
    const path = join(dir, 'data', 'keystore.json');
    assert.equal(created.keystore, path, 'default ./data/keystore.json');
    assert.equal(created.generated, true);
    assert.match(created.hot, /^0x[0-9a-f]{40}$/);
    assert.match(created.fee, /^0x[0-9a-f]{40}$/);
    assert.notEqual(created.hot, created.fee);
    assert.equal(created.mnemonic, undefined, 'no mnemonic without --show-mnemonic');
    assert.doesNotMatch(init.stdout + init.stderr, /mnemonic/);
    assert.match(init.stderr, /back up this file and its passphrase/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).kdf.n, 2 ** 17, 'production scrypt cost');

    assert.equal(reveal.code, 0, reveal.stderr);
    assert.match(reveal.stderr, /WARNING/);
    assert.match(reveal.stdout, new RegExp(`mnemonic\\s+${testMnemonic}`));
    assert.match(reveal.stdout, /hot\s+0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/);
    assert.equal(statSync(join(dir, 'imported', 'keystore.json')).mode & 0o777, 0o600);

    const shown = await inProcess(['keys', 'show-addresses', '--deposit', '3', '--json'], pass);
    const addresses = json(shown);
    assert.equal(addresses.hot, created.hot);
    assert.equal(addresses.fee, created.fee);
    assert.equal(addresses.deposits.length, 3);

    const rotated = await cli(['keys', 'rotate-passphrase'], { ...pass, OPENWAAS_NEW_KEY_PASSPHRASE: 'second passphrase 456' });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /passphrase changed/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const [oldFails, newWorks] = await Promise.all([
      inProcess(['keys', 'show-addresses'], pass),
      cli(['keys', 'show-addresses', '--deposit', '3', '--json'], { OPENWAAS_KEY_PASSPHRASE: 'second passphrase 456' }),
    ]);
    assert.equal(oldFails.code, 1);
    assert.match(oldFails.stderr, /bad-passphrase/);
    assert.deepEqual(json(newWorks).deposits, addresses.deposits);
    assert.equal(json(newWorks).hot, created.hot);

    // The imported seed's deposit addresses are the ones HdAddressAllocator hands out today.
    const importedShown = json(await inProcess(['keys', 'show-addresses', '--deposit', '4', '--json'], imported));
    const allocator = new HdAddressAllocator(testMnemonic);
    assert.deepEqual(
      importedShown.deposits,
      [0, 1, 2, 3].map((index) => ({ index, address: allocator.deriveAddress('evm:31337', index) })),
    );
  });

  test('failures: existing store, wrong/missing/short passphrase, bad --deposit (in process)', async () => {
    const pass = { OPENWAAS_KEY_PASSPHRASE: 'failure passphrase 1', OPENWAAS_KEYSTORE: 'fail/keystore.json' };
    assert.equal((await inProcess(['keys', 'init'], pass)).code, 0);
    const [again, wrong, none, short, badCount, same, usage] = await Promise.all([
      inProcess(['keys', 'init'], pass),
      inProcess(['keys', 'show-addresses'], { ...pass, OPENWAAS_KEY_PASSPHRASE: 'not the passphrase' }),
      inProcess(['keys', 'show-addresses'], { OPENWAAS_KEYSTORE: pass.OPENWAAS_KEYSTORE }),
      inProcess(['keys', 'init', '--keystore', 'short.json'], { OPENWAAS_KEY_PASSPHRASE: 'short' }),
      inProcess(['keys', 'show-addresses', '--deposit', 'lots'], pass),
      inProcess(['keys', 'rotate-passphrase'], { ...pass, OPENWAAS_NEW_KEY_PASSPHRASE: pass.OPENWAAS_KEY_PASSPHRASE }),
      inProcess(['keys', 'frobnicate']),
    ]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists.*\(exists\)/);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /wrong key store passphrase \(bad-passphrase\)/);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /set OPENWAAS_KEY_PASSPHRASE/);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 12 characters/);
    assert.equal(badCount.code, 2);
    assert.match(badCount.stderr, /--deposit must be a whole number/);
    assert.equal(same.code, 1);
    assert.match(same.stderr, /equals the current one/);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /rotate-passphrase/);
    for (const r of [again, wrong, none, short, same]) assert.doesNotMatch(r.stdout + r.stderr, /failure passphrase/);
  });
});
