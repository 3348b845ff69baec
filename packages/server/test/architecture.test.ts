/**
 * The structure docs/architecture.md describes, checked on the source: SQL only in the modules'
 * repositories (and the store's migrations); modules reached only through their index; modules
 * never importing the edges (api/, operator/, cli/, workers/, ops/); each module's dependencies declared
 * in its deps.ts, the only module file that names the service context; no dialect-dependent code in the
 * modules; chain ids parsed in one place; addresses case-folded only inside chain families (and
 * the few lists, named here, that have no chain to ask); the EVM send machinery reached only
 * through the EVM payer.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const sqlCall = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto)\(|\bsql`/;
const edges = ['api', 'operator', 'cli', 'workers', 'ops'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : name.endsWith('.ts') ? [path] : [];
  });
}
const files = walk(src).map((path) => ({ path: relative(src, path), text: readFileSync(path, 'utf8') }));

/** The source files `file` imports (relative specifiers), as paths below src/. */
function importsOf(file: { path: string; text: string }): string[] {
  return [...file.text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => normalize(join(dirname(file.path), m[1]!)).replace(/\.js$/, '.ts'));
}
const moduleOf = (path: string) => /^modules\/([^/]+)\//.exec(path)?.[1];

describe('architecture', () => {
  it('writes SQL only in module repositories and the store', () => {
    const offenders = files.filter((f) => sqlCall.test(f.text) && !/^modules\/[^/]+\/repository\.ts$/.test(f.path) && !f.path.startsWith('store/'));
    assert.deepEqual(offenders.map((f) => f.path), []);
  });

  it("reaches a module only through its index: no import of another module's repository or inner files", () => {
    const offenders: string[] = [];
    for (const f of files) {
      const own = moduleOf(f.path);
      for (const target of importsOf(f)) {
        const other = moduleOf(target);
        if (other && other !== own && !target.endsWith(`modules/${other}/index.ts`)) offenders.push(`${f.path} → ${target}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('keeps the modules below the edges: no module imports api/, operator/, cli/, workers/ or ops/', () => {
    const offenders = files.filter((f) => moduleOf(f.path)).flatMap((f) => importsOf(f).filter((t) => edges.some((e) => t.startsWith(`${e}/`))).map((t) => `${f.path} → ${t}`));
    assert.deepEqual(offenders, []);
  });

  it("narrows each module's dependencies: only a module's deps.ts names the service context, and its index exports it", () => {
    const offenders = files.filter((f) => moduleOf(f.path) && !/^modules\/[^/]+\/deps\.ts$/.test(f.path) && (/\bServiceContext\b/.test(f.text) || importsOf(f).includes('context.ts')));
    assert.deepEqual(offenders.map((f) => f.path), []);
    const unexported = files.filter((f) => /^modules\/[^/]+\/deps\.ts$/.test(f.path) && !files.some((i) => i.path === f.path.replace(/deps\.ts$/, 'index.ts') && i.text.includes("from './deps.js'")));
    assert.deepEqual(unexported.map((f) => f.path), []);
    // A deps file picks fields; it never hands a module the whole context.
    const whole = files.filter((f) => /^modules\/[^/]+\/deps\.ts$/.test(f.path) && [...f.text.matchAll(/\bServiceContext\b/g)].some((m) => !/(import type \{ |Pick<)$/.test(f.text.slice(0, m.index))));
    assert.deepEqual(whole.map((f) => f.path), []);
  });

  it('decides nothing by dialect in the modules (row locks are the store’s)', () => {
    const offenders = files.filter((f) => moduleOf(f.path) && /\bdialect\b/i.test(f.text));
    assert.deepEqual(offenders.map((f) => f.path), []);
  });

  it('parses chain ids in one place', () => {
    const offenders = files.filter((f) => f.path !== 'chains/chain-id.ts' && /\.split\(':'\)/.test(f.text));
    assert.deepEqual(offenders.map((f) => f.path), []);
  });

  it('case-folds addresses only inside chain families, or where a list has no chain to ask', () => {
    // Not addresses, or lists compared on every family alike (documented where they fold).
    const allowed = new Set([
      'modules/withdrawals/blacklist.ts', // the blacklist has no chain column
      'modules/kyt/builtin-provider.ts', // the deny list of the settings, the same
      'config/kyt-config.ts', // that deny list as configured
      'cli/blacklist.ts', // prints the blacklist's form
      'config/operator-config.ts', // a hex token hash
      'config/config.ts', // boolean words of the settings
      'keys/keyring.ts', // mnemonic words
      'keys/remote-signer.ts', // the EVM remote signer's hex answers
      'cli/sandbox-deposit.ts', // a transaction hash of the sandbox's EVM chain
    ]);
    const offenders = files.filter((f) => !f.path.startsWith('chains/') && /\.toLowerCase\(\)/.test(f.text) && !allowed.has(f.path));
    assert.deepEqual(offenders.map((f) => f.path), []);
  });

  it("keeps EVM's send machinery inside chains/evm/: only the family wiring builds the payer, and nothing outside chains/ knows another side than the reader and the payer", () => {
    const internals = ['chains/evm/fees.ts', 'chains/evm/sign.ts', 'chains/evm/nonces.ts', 'chains/evm/slot-follower.ts', 'chains/evm/send-side.ts', 'chains/evm/payer.ts', 'chains/evm/evm-adapter.ts'];
    // The family table (chains/evm/family.ts, registered by chains/families.ts) is the one door.
    const wiring = new Set(['chains/evm/family.ts', 'chains/families.ts']);
    const offenders = files.filter((f) => !f.path.startsWith('chains/evm/') && !wiring.has(f.path) && importsOf(f).some((i) => internals.includes(i)));
    assert.deepEqual(offenders.map((f) => f.path), []);
    // The EVM-shaped send side is gone from the neutral boundary.
    const adapter = files.find((f) => f.path === 'chains/adapter.ts')!;
    assert.doesNotMatch(adapter.text, /\b(EvmSendSide|ChainAdapter|estimateGas|feeQuote|maxFeePerGas|nonce\()/);
    // The domain pays through chain.payer and reads through chain.reader; no module names gas, nonces or fees per gas in code.
    const domain = files.filter((f) => f.path.startsWith('modules/'));
    const evmWords = /\b(gasLimit|gas_limit|maxFeePerGas|max_fee_per_gas|TxFees|TxRequest|prepareNonce|next_nonce|chain_nonces)\b/;
    assert.deepEqual(domain.filter((f) => evmWords.test(f.text)).map((f) => f.path), []);
  });
});
