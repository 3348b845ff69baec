import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { format, inspect } from 'node:util';
import { pino } from 'pino';
import { parseTransaction, recoverTransactionAddress, type TransactionSerializable } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { HdAddressAllocator } from '../src/keys/address-allocator.js';
import { KeyRing, validateMnemonic } from '../src/keys/keyring.js';
import { initKeystore, KeystoreError, rotatePassphrase, unlockKeystore, type KdfOptions } from '../src/keys/keystore.js';
import { signerFor } from '../src/keys/signer.js';

/** Weak scrypt (N = 2^10) so the suite stays fast; production files use N = 2^17. */
const fast: KdfOptions = { kdf: { logN: 10 }, insecureKdfForTests: true };
const testMnemonic = 'test test test test test test test test test test test junk';
const pass = 'correct horse battery staple';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KeystoreError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('key store (scrypt + AES-256-GCM)', () => {
  let dir: string;
  let n = 0;
  const fresh = () => join(dir, `ks-${++n}`, 'keystore.json');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'openwaas-keys-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('init then unlock gives the same addresses; the file is 0600 JSON without the mnemonic', async () => {
    const path = fresh();
    const { ring, generated, mnemonic } = await initKeystore({ path, passphrase: pass, ...fast });
    assert.equal(generated, true);
    assert.equal(mnemonic, undefined, 'the mnemonic is only returned on request');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(file.format, 'openwaas-keystore');
    assert.equal(file.version, 1);
    assert.deepEqual({ name: file.kdf.name, n: file.kdf.n, r: file.kdf.r, p: file.kdf.p }, { name: 'scrypt', n: 1024, r: 8, p: 1 });
    assert.equal(file.cipher.name, 'aes-256-gcm');
    for (const field of [file.kdf.salt, file.cipher.iv, file.cipher.tag, file.ciphertext, file.check]) assert.match(field, /^[A-Za-z0-9+/]+=*$/);

    const again = await unlockKeystore({ path, passphrase: pass });
    assert.equal(again.hotAddress('evm:1'), ring.hotAddress('evm:1'));
    assert.equal(again.feeAddress('evm:1'), ring.feeAddress('evm:1'));
    assert.notEqual(ring.hotAddress('evm:1'), ring.feeAddress('evm:1'));
    assert.equal(readdirSync(join(path, '..')).length, 1, 'no temporary files left behind');
  });

  test('imported mnemonic: hot/fee on account 0, deposits identical to HdAddressAllocator', async () => {
    const path = fresh();
    const { ring, generated } = await initKeystore({ path, passphrase: pass, mnemonic: `  ${testMnemonic.toUpperCase()}\n`, ...fast });
    assert.equal(generated, false);
    assert.equal(ring.hotAddress('evm:31337'), mnemonicToAccount(testMnemonic, { accountIndex: 0, addressIndex: 0 }).address.toLowerCase());
    assert.equal(ring.feeAddress('evm:31337'), mnemonicToAccount(testMnemonic, { accountIndex: 0, addressIndex: 1 }).address.toLowerCase());
    assert.equal(ring.hotAddress('evm:31337'), '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266');

    const unlocked = await unlockKeystore({ path, passphrase: pass });
    const allocator = new HdAddressAllocator(testMnemonic);
    for (const index of [0, 1, 2, 7, 1000]) {
      assert.equal(unlocked.deriveAddress('evm:31337', index), allocator.deriveAddress('evm:31337', index), `deposit ${index}`);
      assert.equal(unlocked.deriveAddress('evm:1', index), allocator.deriveAddress('evm:1', index));
    }
    assert.throws(() => unlocked.deriveAddress('tron:mainnet', 0), /no key derivation/);
  });

  test('wrong passphrase → bad-passphrase; missing file → not-found; existing file is never overwritten', async () => {
    const path = fresh();
    await initKeystore({ path, passphrase: pass, ...fast });
    const before = readFileSync(path, 'utf8');
    await rejectsWith(unlockKeystore({ path, passphrase: 'not the right passphrase' }), 'bad-passphrase');
    await rejectsWith(unlockKeystore({ path: join(dir, 'absent.json'), passphrase: pass }), 'not-found');
    await rejectsWith(initKeystore({ path, passphrase: pass, ...fast }), 'exists');
    assert.equal(readFileSync(path, 'utf8'), before);
  });

  test('short passphrase, invalid mnemonic and weak KDF without the test flag are refused', async () => {
    await rejectsWith(initKeystore({ path: fresh(), passphrase: 'short', ...fast }), 'weak-passphrase');
    await assert.rejects(initKeystore({ path: fresh(), passphrase: 'short', ...fast }), /at least 12 characters/);
    await rejectsWith(initKeystore({ path: fresh(), passphrase: pass, mnemonic: 'test test test test test test test test test test test test', ...fast }), 'invalid-mnemonic');
    await rejectsWith(initKeystore({ path: fresh(), passphrase: pass, kdf: { logN: 10 } }), 'invalid-kdf');
    await rejectsWith(initKeystore({ path: fresh(), passphrase: pass, kdf: { logN: 24 }, insecureKdfForTests: true }), 'invalid-kdf');
    assert.equal(validateMnemonic(testMnemonic), true);
    assert.equal(validateMnemonic('abandon '.repeat(11) + 'about'), true);
    assert.equal(validateMnemonic('abandon '.repeat(12).trim()), false);
  });

  test('tampered ciphertext, tag, iv or contents → corrupt; tampered salt or cost → refused', async () => {
    const path = fresh();
    await initKeystore({ path, passphrase: pass, ...fast });
    const original = JSON.parse(readFileSync(path, 'utf8'));
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0]! ^= 0x01;
      return bytes.toString('base64');
    };
    const variants: Array<[string, (f: any) => void, string]> = [
      ['ciphertext', (f) => (f.ciphertext = flip(f.ciphertext)), 'corrupt'],
      ['tag', (f) => (f.cipher.tag = flip(f.cipher.tag)), 'corrupt'],
      ['iv', (f) => (f.cipher.iv = flip(f.cipher.iv)), 'corrupt'],
      ['truncated tag', (f) => (f.cipher.tag = f.cipher.tag.slice(0, 8)), 'corrupt'],
      ['huge N', (f) => (f.kdf.n = 2 ** 30), 'corrupt'],
      ['N not a power of two', (f) => (f.kdf.n = 1000), 'corrupt'],
      ['version', (f) => (f.version = 2), 'corrupt'],
      // The salt and cost feed the key derivation: a changed one reads as a wrong passphrase.
      ['salt', (f) => (f.kdf.salt = flip(f.kdf.salt)), 'bad-passphrase'],
      ['cost', (f) => (f.kdf.n = 2048), 'bad-passphrase'],
    ];
    for (const [what, change, code] of variants) {
      const copy = structuredClone(original);
      change(copy);
      const tampered = join(dir, `tampered-${what.replace(/\W/g, '-')}.json`);
      writeFileSync(tampered, JSON.stringify(copy));
      await rejectsWith(unlockKeystore({ path: tampered, passphrase: pass }), code);
    }
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{not json');
    await rejectsWith(unlockKeystore({ path: garbage, passphrase: pass }), 'corrupt');
    await unlockKeystore({ path, passphrase: pass });
  });

  test('rotate keeps the addresses, the old passphrase stops working, mode stays 0600', async () => {
    const path = fresh();
    const { ring } = await initKeystore({ path, passphrase: pass, ...fast });
    const saltBefore = JSON.parse(readFileSync(path, 'utf8')).kdf.salt;
    const newPass = 'a different long passphrase';
    await rejectsWith(rotatePassphrase({ path, oldPassphrase: 'wrong passphrase!!', newPassphrase: newPass, ...fast }), 'bad-passphrase');
    await rejectsWith(rotatePassphrase({ path, oldPassphrase: pass, newPassphrase: 'tiny', ...fast }), 'weak-passphrase');
    const rotated = await rotatePassphrase({ path, oldPassphrase: pass, newPassphrase: newPass, ...fast });
    assert.equal(rotated?.hotAddress('evm:1'), ring.hotAddress('evm:1'));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    assert.notEqual(file.kdf.salt, saltBefore);
    assert.ok(file.rotated_at);
    await rejectsWith(unlockKeystore({ path, passphrase: pass }), 'bad-passphrase');
    const unlocked = await unlockKeystore({ path, passphrase: newPass });
    assert.equal(unlocked.hotAddress('evm:1'), ring.hotAddress('evm:1'));
    assert.equal(unlocked.feeAddress('evm:1'), ring.feeAddress('evm:1'));
    assert.equal(unlocked.deriveAddress('evm:1', 3), ring.deriveAddress('evm:1', 3));
    assert.deepEqual(readdirSync(join(path, '..')), ['keystore.json']);
  });

  test('a KeyRing never shows its mnemonic: JSON, inspect, String, format, pino', () => {
    const ring = KeyRing.fromMnemonic(testMnemonic);
    ring.hotAddress('evm:1'); // derived state exists too
    const signer = signerFor(ring, 'hot', 'evm:1');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = pino({ level: 'info' }, sink);
    log.info({ ring, signer, nested: { ring } }, 'unlocked');
    log.info(`ring ${ring}`);
    const outputs = [JSON.stringify(ring), JSON.stringify({ ring }), inspect(ring), inspect({ ring }, { depth: 10, showHidden: true }), String(ring), format('%o %O %j', ring, ring, ring), inspect(signer, { showHidden: true }), JSON.stringify(signer), ...lines];
    for (const out of outputs) {
      assert.ok(!out.includes('junk') && !out.includes('test test'), `leaked: ${out}`);
    }
    assert.equal(JSON.stringify(ring), '"[KeyRing]"');
    assert.equal(inspect(ring), '[KeyRing]');
    assert.match(lines[0]!, /"ring":"\[KeyRing\]"/);
    assert.equal(Object.keys(ring).length, 0);
    ring.lock();
    assert.throws(() => ring.deriveAddress('evm:1', 99), /locked/);
  });

  test('the hot signer signs an EIP-1559 transaction that recovers to the hot address', async () => {
    const ring = KeyRing.fromMnemonic(testMnemonic);
    const signer = signerFor(ring, 'hot', 'evm:31337');
    assert.equal(signer.address, ring.hotAddress('evm:31337'));
    assert.equal(signer.chainId, 31337);
    const tx: TransactionSerializable = {
      type: 'eip1559',
      chainId: 31337,
      nonce: 0,
      to: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
      value: 10n ** 18n,
      gas: 21_000n,
      maxFeePerGas: 2_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    };
    const signed = await signer.signTransaction(tx);
    assert.match(signed, /^0x02/);
    assert.equal((await recoverTransactionAddress({ serializedTransaction: signed as any })).toLowerCase(), ring.hotAddress('evm:31337'));
    assert.equal(parseTransaction(signed).chainId, 31337);

    const fee = signerFor(ring, 'fee', 'evm:31337');
    const feeSigned = await fee.signTransaction({ ...tx, chainId: undefined } as TransactionSerializable);
    assert.equal((await recoverTransactionAddress({ serializedTransaction: feeSigned as any })).toLowerCase(), ring.feeAddress('evm:31337'));
    assert.equal(parseTransaction(feeSigned).chainId, 31337, 'the signer fills in its chain id');

    const deposit = signerFor(ring, { deposit: 5 }, 'evm:31337');
    assert.equal(deposit.address, new HdAddressAllocator(testMnemonic).deriveAddress('evm:31337', 5));
    const depositSigned = await deposit.signTransaction(tx);
    assert.equal((await recoverTransactionAddress({ serializedTransaction: depositSigned as any })).toLowerCase(), deposit.address);

    await assert.rejects(signer.signTransaction({ ...tx, chainId: 1 }), /chain 1 given to a signer for chain 31337/);
    assert.throws(() => signerFor(ring, 'hot', 'evm'), /chain id/);
    assert.throws(() => signerFor(ring, { deposit: -1 }, 'evm:1'), /bad deposit index/);
    assert.equal(existsSync(join(dir, 'nothing')), false);
  });
});
