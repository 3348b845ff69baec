import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The data key: 32 random bytes that encrypt secrets kept in the database (merchants' wallet
 * RSA private keys) with AES-256-GCM. It never reaches the database itself: the key store file
 * holds it, wrapped under the operator's passphrase (see keystore.ts), so a copy of the database
 * (a backup, a stolen disk) holds only ciphertext.
 *
 * Stored value, version 1: "v1:" + base64(iv 12 bytes | tag 16 bytes | ciphertext). The
 * additional data names the column and the row's owner, so a ciphertext moved to another row
 * (or column) fails authentication instead of decrypting.
 */

/** Prefix of a value encrypted under the data key, format version 1. */
export const sealedPrefix = 'v1:';
export const dataKeyBytes = 32;

/** A value could not be decrypted: another data key, a damaged value, or a row it does not belong to. */
export class DataKeyError extends Error {
  override name = 'DataKeyError';
}

export class DataKey {
  readonly #key: Buffer;
  /** A public fingerprint of the key (HMAC of a constant), stored in the database to detect a wrong key at start-up. */
  readonly id: string;

  constructor(key: Buffer) {
    if (key.length !== dataKeyBytes) throw new DataKeyError(`a data key is ${dataKeyBytes} bytes`);
    this.#key = Buffer.from(key);
    this.id = createHmac('sha256', this.#key).update('openwaas-data-key-id').digest('hex').slice(0, 32);
  }

  /** A fresh random data key. */
  static generate(): DataKey {
    return new DataKey(randomBytes(dataKeyBytes));
  }

  /** The raw key, for wrapping by the key store only. */
  exportRaw(): Buffer {
    return Buffer.from(this.#key);
  }

  encrypt(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return sealedPrefix + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  decrypt(stored: string, aad: string): string {
    if (!isSealed(stored)) throw new DataKeyError('the value is not encrypted under a data key (no v1: prefix)');
    const raw = Buffer.from(stored.slice(sealedPrefix.length), 'base64');
    if (raw.length < 12 + 16 + 1) throw new DataKeyError('the encrypted value is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new DataKeyError('the encrypted value does not open with this data key (another key, a damaged value, or another row)');
    }
  }
}

/** True when `stored` is in the encrypted format (anything else is a plaintext left from before encryption at rest). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(sealedPrefix);
}

/**
 * The development data key: one public constant (derived from the public development mnemonic),
 * whatever mnemonic is configured, so every development run on a database agrees. Anyone can
 * compute it: only with the insecureDevKeys setting, where it keeps the code path (and the
 * database format) the same as production's.
 */
export function insecureDevDataKey(): DataKey {
  const devMnemonic = 'test test test test test test test test test test test junk';
  return new DataKey(Buffer.from(hkdfSync('sha256', Buffer.from(devMnemonic, 'utf8'), 'openwaas', 'openwaas-insecure-dev-data-key', dataKeyBytes)));
}

/** Hands out the data key; the CLI unlocks it only when a command first needs it. */
export interface DataKeySource {
  dataKey(): Promise<DataKey>;
}

export const fixedDataKey = (key: DataKey): DataKeySource => ({ dataKey: async () => key });
