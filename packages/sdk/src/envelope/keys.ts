import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { KeyParseError } from '../errors/envelope.js';

/** A key as the SDK accepts it: PEM text, bare base64 DER, DER bytes, or an already-parsed KeyObject. */
export type KeyInput = string | Buffer | KeyObject;

const pemHeader = /-----BEGIN ([A-Z0-9 ]+)-----/;

function isKeyObject(input: KeyInput): input is KeyObject {
  return typeof input === 'object' && !Buffer.isBuffer(input) && 'asymmetricKeyType' in input;
}

function derFrom(input: string | Buffer, which: string): Buffer {
  if (Buffer.isBuffer(input)) return input;
  const compact = input.replace(/\s+/g, '');
  if (compact.length === 0) throw new KeyParseError(which, 'it is empty');
  if (!/^[A-Za-z0-9+/=_-]+$/.test(compact)) throw new KeyParseError(which, 'it is neither PEM nor base64 DER');
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
}

function requireRsa(key: KeyObject, which: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KeyParseError(which, `it is a ${key.asymmetricKeyType ?? 'symmetric'} key, not RSA`);
  }
  return key;
}

function tryParse<T>(attempts: Array<() => T>): { value?: T; error?: unknown } {
  let error: unknown;
  for (const attempt of attempts) {
    try {
      return { value: attempt() };
    } catch (e) {
      error = e;
    }
  }
  return { error };
}

/**
 * Parses an RSA private key: PEM (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY") or bare
 * base64 DER in either form. Parse once and reuse the KeyObject: parsing costs more than an RSA block.
 * @param which names the key in error messages, e.g. "privateKey".
 */
export function parsePrivateKey(input: KeyInput, which = 'private key'): KeyObject {
  if (isKeyObject(input)) {
    if (input.type !== 'private') throw new KeyParseError(which, `it is a ${input.type} key, a private key is needed`);
    return requireRsa(input, which);
  }
  const text = Buffer.isBuffer(input) ? undefined : input.trim();
  if (text !== undefined && pemHeader.test(text)) {
    const label = pemHeader.exec(text)?.[1] ?? '';
    if (label.includes('PUBLIC')) throw new KeyParseError(which, `it is a public key (${label}), a private key is needed`);
    // PKCS#8 says so in its label; legacy PKCS#1 ("RSA PRIVATE KEY") in a Proc-Type header.
    if (label.includes('ENCRYPTED') || /^Proc-Type:\s*4,\s*ENCRYPTED/im.test(text)) {
      throw new KeyParseError(which, 'it is passphrase-encrypted; decrypt it first');
    }
    const { value, error } = tryParse([() => createPrivateKey({ key: text, format: 'pem' })]);
    if (!value) throw new KeyParseError(which, `the PEM (${label}) does not decode: ${(error as Error).message}`, { cause: error });
    return requireRsa(value, which);
  }
  const der = derFrom(input as string | Buffer, which);
  const { value, error } = tryParse([
    () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
    () => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
  ]);
  if (!value) {
    const looksPublic = tryParse([() => createPublicKey({ key: der, format: 'der', type: 'spki' })]).value;
    const why = looksPublic ? 'it is a public key (SPKI), a private key is needed' : 'the DER is neither PKCS#8 nor PKCS#1';
    throw new KeyParseError(which, why, { cause: error });
  }
  return requireRsa(value, which);
}

/**
 * Parses an RSA public key: PEM (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY") or bare base64 DER.
 * A private key is accepted too and its public half is used.
 * @param which names the key in error messages, e.g. "walletPublicKey".
 */
export function parsePublicKey(input: KeyInput, which = 'public key'): KeyObject {
  if (isKeyObject(input)) {
    return requireRsa(input.type === 'private' ? createPublicKey(input) : input, which);
  }
  const text = Buffer.isBuffer(input) ? undefined : input.trim();
  if (text !== undefined && pemHeader.test(text)) {
    const label = pemHeader.exec(text)?.[1] ?? '';
    const { value, error } = tryParse([() => createPublicKey({ key: text, format: 'pem' })]);
    if (!value) throw new KeyParseError(which, `the PEM (${label}) does not decode: ${(error as Error).message}`, { cause: error });
    return requireRsa(value, which);
  }
  const der = derFrom(input as string | Buffer, which);
  const { value, error } = tryParse([
    () => createPublicKey({ key: der, format: 'der', type: 'spki' }),
    () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
    () => createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })),
    () => createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })),
  ]);
  if (!value) throw new KeyParseError(which, 'the DER is neither SPKI nor PKCS#1', { cause: error });
  return requireRsa(value, which);
}

/** The modulus length in bytes (256 for RSA-2048). */
export function keyBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new KeyParseError('key', 'it has no RSA modulus');
  return Math.ceil(bits / 8);
}
