import { EnvelopeError } from '../errors/envelope.js';

/** Encodes bytes as URL-safe base64 without `=` padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

// Stray whitespace (line breaks from mail clients, spaces from copied docs) and padding are tolerated.
const strippable = /[\s=]+/g;
const alphabet = /^[A-Za-z0-9\-_+/]*$/;

/**
 * Decodes URL-safe base64, tolerating padding, whitespace and the standard `+`/`/` alphabet.
 * Node's decoder silently drops invalid characters; we reject them instead, so garbage
 * is reported as garbage rather than decrypted into noise.
 */
export function decodeBase64Url(text: string): Buffer {
  const compact = text.replace(strippable, '');
  if (!alphabet.test(compact)) {
    throw new EnvelopeError('bad-base64', 'data is not base64url', { details: 'it holds characters outside the alphabet' });
  }
  if (compact.length % 4 === 1) {
    throw new EnvelopeError('bad-base64', 'data is not base64url', { details: `impossible length ${compact.length}` });
  }
  return Buffer.from(compact, 'base64url');
}
