import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { english, generateMnemonic } from 'viem/accounts';
import { DataKey, dataKeyBytes } from './data-key.js';
import { KeyRing, normalizeMnemonic, validateMnemonic } from './keyring.js';
import { keystorePassphraseLengthMin } from '../limits.js';

/**
 * The encrypted key store: one JSON file holding the BIP-39 mnemonic and the data key (the
 * AES key of secrets kept in the database, see data-key.ts), encrypted with AES-256-GCM under
 * a key derived from the operator's passphrase with scrypt. A "secrets-only" key store (for a
 * service without chains) holds the data key and no mnemonic. A key store written before the
 * data key existed gains one the first time it is opened with its passphrase.
 *
 * File layout (version 1):
 *   format, version, kdf {name "scrypt", n, r, p, salt}, cipher {name "aes-256-gcm", iv, tag},
 *   check, ciphertext, created_at, rotated_at
 * scrypt yields 64 bytes: the first 32 are the AES key, the last 32 key an HMAC-SHA256 `check`
 * over the header, so a wrong passphrase ('bad-passphrase') is told apart from a damaged
 * ciphertext or tag ('corrupt'). The header (format, version, kdf) is also the GCM additional
 * data. The check costs an attacker as much scrypt work as trying the GCM decryption itself.
 *
 * KDF cost: N = 2^17, r = 8, p = 1 (128 MiB, ~0.3–0.5 s per unlock), the OWASP-recommended
 * minimum for scrypt. New files accept log2(N) 15..20; a file claiming more than 2^20, r > 16
 * or p > 4 is refused as corrupt (a tampered file must not make start-up allocate gigabytes).
 * Tests may write weaker files only through the explicit `insecureKdfForTests` option.
 */

export const keystoreFormat = 'openwaas-keystore';
export const keystoreVersion = 1;
/** Production scrypt parameters (log2 N = 17, r = 8, p = 1). */
export const defaultKdf = { logN: 17, r: 8, p: 1 } as const;

export type KeystoreErrorCode = 'bad-passphrase' | 'corrupt' | 'exists' | 'not-found' | 'weak-passphrase' | 'invalid-mnemonic' | 'invalid-kdf' | 'no-seed';

/** A key store operation failed; `code` says why. Messages never contain secrets. */
export class KeystoreError extends Error {
  override name = 'KeystoreError';
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface KdfParams {
  /** log2 of scrypt's N. */
  logN: number;
  r: number;
  p: number;
}

export interface KdfOptions {
  /** scrypt cost; defaults to `defaultKdf`. */
  kdf?: Partial<KdfParams>;
  /** Tests only: allows log2 N below 15 so a test run stays fast. Never set this in production. */
  insecureKdfForTests?: boolean;
}

interface KeystoreFile {
  format: string;
  version: number;
  kdf: { name: 'scrypt'; n: number; r: number; p: number; salt: string };
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string };
  check: string;
  ciphertext: string;
  created_at: string;
  rotated_at?: string;
}

const limits = { logN: { min: 15, max: 20, testMin: 4 }, r: { min: 1, max: 16 }, p: { min: 1, max: 4 } };

function kdfFor(options: KdfOptions): KdfParams {
  const k = { ...defaultKdf, ...options.kdf };
  const minLogN = options.insecureKdfForTests ? limits.logN.testMin : limits.logN.min;
  const ok =
    Number.isInteger(k.logN) && k.logN >= minLogN && k.logN <= limits.logN.max &&
    Number.isInteger(k.r) && k.r >= limits.r.min && k.r <= limits.r.max &&
    Number.isInteger(k.p) && k.p >= limits.p.min && k.p <= limits.p.max;
  if (!ok) throw new KeystoreError('invalid-kdf', `scrypt parameters out of bounds: log2 N ${minLogN}..${limits.logN.max}, r 1..${limits.r.max}, p 1..${limits.p.max}`);
  return k;
}

function checkPassphrase(passphrase: string, what = 'passphrase'): void {
  if (typeof passphrase !== 'string' || [...passphrase].length < keystorePassphraseLengthMin) {
    throw new KeystoreError('weak-passphrase', `the ${what} must be at least ${keystorePassphraseLengthMin} characters long`);
  }
}

function deriveKeys(passphrase: string, salt: Buffer, k: KdfParams): Promise<Buffer> {
  const N = 2 ** k.logN;
  const options: ScryptOptions = { N, r: k.r, p: k.p, maxmem: 256 * N * k.r * k.p };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFKC'), salt, 64, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** The header bytes authenticated by both the check and GCM. */
function header(f: Pick<KeystoreFile, 'format' | 'version' | 'kdf'>): Buffer {
  const { name, n, r, p, salt } = f.kdf;
  return Buffer.from(JSON.stringify([f.format, f.version, name, n, r, p, salt]), 'utf8');
}

function checkValue(macKey: Buffer, head: Buffer): Buffer {
  return createHmac('sha256', macKey).update('openwaas-keystore-check\0').update(head).digest();
}

/** What the ciphertext holds. */
interface KeystoreContent {
  mnemonic?: string;
  dataKey?: Buffer;
}

async function seal(content: KeystoreContent, passphrase: string, k: KdfParams, createdAt: string): Promise<KeystoreFile> {
  const salt = randomBytes(32);
  const iv = randomBytes(12);
  const partial = { format: keystoreFormat, version: keystoreVersion, kdf: { name: 'scrypt' as const, n: 2 ** k.logN, r: k.r, p: k.p, salt: salt.toString('base64') } };
  const head = header(partial);
  const keys = await deriveKeys(passphrase, salt, k);
  try {
    const cipher = createCipheriv('aes-256-gcm', keys.subarray(0, 32), iv);
    cipher.setAAD(head);
    const plain = Buffer.from(
      JSON.stringify({ ...(content.mnemonic !== undefined ? { mnemonic: content.mnemonic } : {}), ...(content.dataKey ? { data_key: content.dataKey.toString('base64') } : {}) }),
      'utf8',
    );
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
    plain.fill(0);
    return {
      ...partial,
      cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
      check: checkValue(keys.subarray(32), head).toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      created_at: createdAt,
    };
  } finally {
    keys.fill(0);
  }
}

const b64 = /^[A-Za-z0-9+/]*={0,2}$/;
function bytes(value: unknown, length?: number): Buffer {
  if (typeof value !== 'string' || !b64.test(value)) throw new KeystoreError('corrupt', 'the key store file is damaged (bad encoding)');
  const buf = Buffer.from(value, 'base64');
  if (length !== undefined && buf.length !== length) throw new KeystoreError('corrupt', 'the key store file is damaged (bad field length)');
  return buf;
}

function readFile(path: string): KeystoreFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new KeystoreError('not-found', `no key store at ${path}: run 'openwaas keys init'`);
    throw error;
  }
  let f: KeystoreFile;
  try {
    f = JSON.parse(text) as KeystoreFile;
  } catch {
    throw new KeystoreError('corrupt', `the key store ${path} is not JSON`);
  }
  if (typeof f !== 'object' || f === null || f.format !== keystoreFormat) throw new KeystoreError('corrupt', `${path} is not an OpenWaaS key store`);
  if (f.version !== keystoreVersion) throw new KeystoreError('corrupt', `the key store ${path} has unsupported version ${String(f.version)}`);
  if (f.kdf?.name !== 'scrypt' || f.cipher?.name !== 'aes-256-gcm') throw new KeystoreError('corrupt', `the key store ${path} names an unknown algorithm`);
  return f;
}

/** The file's scrypt parameters, bounded: a tampered file must not demand huge memory or time. */
function fileKdf(f: KeystoreFile): KdfParams {
  const { n, r, p } = f.kdf;
  const logN = Number.isSafeInteger(n) && n > 0 ? Math.log2(n) : Number.NaN;
  try {
    return kdfFor({ kdf: { logN, r, p }, insecureKdfForTests: true });
  } catch {
    throw new KeystoreError('corrupt', 'the key store file has invalid scrypt parameters');
  }
}

async function open(f: KeystoreFile, passphrase: string): Promise<KeystoreContent> {
  const k = fileKdf(f);
  const salt = bytes(f.kdf.salt, 32);
  const iv = bytes(f.cipher.iv, 12);
  const tag = bytes(f.cipher.tag, 16);
  const check = bytes(f.check, 32);
  const ciphertext = bytes(f.ciphertext);
  const head = header(f);
  const keys = await deriveKeys(passphrase, salt, k);
  let plain: Buffer | undefined;
  try {
    if (!timingSafeEqual(checkValue(keys.subarray(32), head), check)) throw new KeystoreError('bad-passphrase', 'wrong key store passphrase');
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.subarray(0, 32), iv, { authTagLength: 16 });
      decipher.setAAD(head);
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new KeystoreError('corrupt', 'the key store ciphertext or tag is damaged (authentication failed)');
    }
    let parsed: { mnemonic?: unknown; data_key?: unknown };
    try {
      parsed = JSON.parse(plain.toString('utf8')) as typeof parsed;
    } catch {
      throw new KeystoreError('corrupt', 'the key store content is not JSON');
    }
    const { mnemonic, data_key: dataKey } = parsed;
    if (mnemonic !== undefined && (typeof mnemonic !== 'string' || !validateMnemonic(mnemonic))) throw new KeystoreError('corrupt', 'the key store holds no valid mnemonic');
    if (dataKey !== undefined && (typeof dataKey !== 'string' || !b64.test(dataKey) || Buffer.from(dataKey, 'base64').length !== dataKeyBytes)) {
      throw new KeystoreError('corrupt', 'the key store holds a damaged data key');
    }
    if (mnemonic === undefined && dataKey === undefined) throw new KeystoreError('corrupt', 'the key store holds neither a mnemonic nor a data key');
    return { ...(mnemonic !== undefined ? { mnemonic } : {}), ...(dataKey !== undefined ? { dataKey: Buffer.from(dataKey, 'base64') } : {}) };
  } finally {
    keys.fill(0);
    plain?.fill(0);
  }
}

/**
 * Writes `f` to `path` atomically with mode 0600: a temporary file in the same directory,
 * fsync'd, then renamed over `path` (or, when `exclusive`, hard-linked so an existing file is
 * never replaced).
 */
function writeAtomically(path: string, f: KeystoreFile, exclusive: boolean): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(f, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (exclusive) {
      try {
        linkSync(temp, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new KeystoreError('exists', `a key store already exists at ${path}; it is never overwritten`);
        throw error;
      }
    } else renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Directories cannot be fsync'd on every platform; the rename itself is atomic.
  }
}

export interface InitKeystoreOptions extends KdfOptions {
  path: string;
  passphrase: string;
  /** An existing BIP-39 mnemonic to import; a new 24-word one is generated when absent. */
  mnemonic?: string;
  /** Return the mnemonic in the result (for `keys init --show-mnemonic` only). */
  revealMnemonic?: boolean;
}

export interface InitKeystoreResult {
  ring: KeyRing;
  /** The mnemonic was generated here (not imported). */
  generated: boolean;
  /** Only when `revealMnemonic` was set. */
  mnemonic?: string;
}

/** Creates a key store at `path`; refuses to overwrite an existing file. */
export async function initKeystore(options: InitKeystoreOptions): Promise<InitKeystoreResult> {
  checkPassphrase(options.passphrase);
  const k = kdfFor(options);
  const generated = options.mnemonic === undefined;
  const mnemonic = generated ? generateMnemonic(english, 256) : normalizeMnemonic(options.mnemonic!);
  if (!validateMnemonic(mnemonic)) throw new KeystoreError('invalid-mnemonic', 'the mnemonic is not a valid BIP-39 English mnemonic (words or checksum)');
  const dataKey = DataKey.generate().exportRaw();
  try {
    const file = await seal({ mnemonic, dataKey }, options.passphrase, k, new Date().toISOString());
    writeAtomically(options.path, file, true);
  } finally {
    dataKey.fill(0);
  }
  return { ring: KeyRing.fromMnemonic(mnemonic), generated, ...(options.revealMnemonic ? { mnemonic } : {}) };
}

/**
 * Creates a secrets-only key store at `path`: a data key and no HD seed, for a service without
 * chains (it still encrypts merchants' wallet keys at rest). Refuses to overwrite a file.
 */
export async function initSecretsKeystore(options: Omit<InitKeystoreOptions, 'mnemonic' | 'revealMnemonic'>): Promise<void> {
  checkPassphrase(options.passphrase);
  const k = kdfFor(options);
  const dataKey = DataKey.generate().exportRaw();
  try {
    writeAtomically(options.path, await seal({ dataKey }, options.passphrase, k, new Date().toISOString()), true);
  } finally {
    dataKey.fill(0);
  }
}

/** Decrypts the key store's HD seed. Wrong passphrase → KeystoreError 'bad-passphrase'; damaged file → 'corrupt'; secrets-only → 'no-seed'. */
export async function unlockKeystore(options: { path: string; passphrase: string }): Promise<KeyRing> {
  const { mnemonic } = await open(readFile(options.path), options.passphrase);
  if (mnemonic === undefined) throw new KeystoreError('no-seed', `the key store ${options.path} holds no HD seed (it was created with --secrets-only)`);
  return KeyRing.fromMnemonic(mnemonic);
}

export interface OpenedKeystore {
  /** The HD keys; absent for a secrets-only key store. */
  ring?: KeyRing;
  dataKey: DataKey;
  /** The file had no data key yet (written by an earlier version): one was generated and the file rewritten. */
  addedDataKey: boolean;
}

/**
 * Decrypts everything the service needs at start-up: the HD seed (when there is one) and the
 * data key. A key store without a data key gets one here, re-sealed under the same passphrase
 * and scrypt parameters and replaced atomically, so an upgrade needs no extra step.
 */
export async function openKeystore(options: { path: string; passphrase: string }): Promise<OpenedKeystore> {
  const f = readFile(options.path);
  const content = await open(f, options.passphrase);
  let addedDataKey = false;
  if (!content.dataKey) {
    content.dataKey = DataKey.generate().exportRaw();
    const file = await seal(content, options.passphrase, fileKdf(f), typeof f.created_at === 'string' ? f.created_at : new Date().toISOString());
    if (f.rotated_at) file.rotated_at = f.rotated_at;
    writeAtomically(options.path, file, false);
    addedDataKey = true;
  }
  const dataKey = new DataKey(content.dataKey);
  content.dataKey.fill(0);
  return { ...(content.mnemonic !== undefined ? { ring: KeyRing.fromMnemonic(content.mnemonic) } : {}), dataKey, addedDataKey };
}

export interface RotatePassphraseOptions extends KdfOptions {
  path: string;
  oldPassphrase: string;
  newPassphrase: string;
}

/**
 * Re-encrypts the key store under a new passphrase (fresh salt and IV; scrypt parameters from
 * `kdf` or the defaults) and replaces the file atomically. The seed, and so every address,
 * stays the same; so does the data key, so the database's encrypted values stay as they are.
 * Returns the HD keys (undefined for a secrets-only key store).
 */
export async function rotatePassphrase(options: RotatePassphraseOptions): Promise<KeyRing | undefined> {
  checkPassphrase(options.newPassphrase, 'new passphrase');
  const k = kdfFor(options);
  const old = readFile(options.path);
  const content = await open(old, options.oldPassphrase);
  // A key store from before the data key gains one now (it would on the next start anyway).
  content.dataKey ??= DataKey.generate().exportRaw();
  try {
    const file = await seal(content, options.newPassphrase, k, typeof old.created_at === 'string' ? old.created_at : new Date().toISOString());
    file.rotated_at = new Date().toISOString();
    writeAtomically(options.path, file, false);
  } finally {
    content.dataKey.fill(0);
  }
  return content.mnemonic !== undefined ? KeyRing.fromMnemonic(content.mnemonic) : undefined;
}
