import type { KeyObject } from 'node:crypto';
import { EnvelopeError } from '../errors/envelope.js';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import { decryptSegments, encryptSegments } from './rsa-segments.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Options for producing an envelope. */
export interface SealOptions {
  /** Plaintext bytes per RSA block; 234 by default (the vendor's), at most key_bytes − 11. */
  segmentBytes?: number;
}

/** Encrypts a UTF-8 string with the sender's private key into a `data` envelope. */
export function sealText(text: string, privateKey: KeyObject, options: SealOptions = {}): string {
  return encodeBase64Url(encryptSegments(Buffer.from(text, 'utf8'), privateKey, options.segmentBytes));
}

/** Encrypts a JSON value with the sender's private key into a `data` envelope. */
export function seal(value: unknown, privateKey: KeyObject, options: SealOptions = {}): string {
  return sealText(JSON.stringify(value), privateKey, options);
}

/** Decrypts a `data` envelope with the sender's public key into its UTF-8 text (an empty envelope is ""). */
export function openText(data: string, publicKey: KeyObject): string {
  const bytes = decryptSegments(decodeBase64Url(data), publicKey);
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new EnvelopeError('bad-utf8', 'decrypted data is not UTF-8', { cause });
  }
}

/** Decrypts a `data` envelope and parses its JSON. */
export function open<T = unknown>(data: string, publicKey: KeyObject): T {
  const text = openText(data, publicKey);
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new EnvelopeError('not-json', 'decrypted data is not JSON', { details: text.slice(0, 40), cause });
  }
}
