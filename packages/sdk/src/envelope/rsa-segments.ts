import { constants, privateEncrypt, publicDecrypt, type KeyObject } from 'node:crypto';
import { EnvelopeError } from '../errors/envelope.js';
import { keyBytes } from './keys.js';

/** Segment size of the vendor's Java helper and JS SDK for RSA-2048. */
export const defaultSegmentBytes = 234;
/** PKCS#1 v1.5 padding takes at least 11 bytes of each block. */
const paddingBytesMin = 11;

/** The largest plaintext segment a key can carry. */
export function maxSegmentBytes(key: KeyObject): number {
  return keyBytes(key) - paddingBytesMin;
}

/**
 * "Private encrypt" (PKCS#1 v1.5 type 1) of `plain` in byte segments; returns the
 * concatenated key_bytes-long blocks. Segments are cut by bytes, so a multi-byte UTF-8
 * character may straddle two blocks: the receiver joins bytes before decoding.
 */
export function encryptSegments(plain: Uint8Array, privateKey: KeyObject, segmentBytes?: number): Buffer {
  const max = maxSegmentBytes(privateKey);
  const size = segmentBytes ?? Math.min(defaultSegmentBytes, max);
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw new EnvelopeError('too-large-segment', `segment size ${size} does not fit this key`, { details: `1 to ${max} bytes` });
  }
  const blockBytes = keyBytes(privateKey);
  const count = Math.ceil(plain.byteLength / size);
  const out = Buffer.allocUnsafe(count * blockBytes);
  for (let i = 0; i < count; i++) {
    const segment = plain.subarray(i * size, Math.min((i + 1) * size, plain.byteLength));
    const block = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, segment);
    block.copy(out, i * blockBytes);
  }
  return out;
}

/**
 * "Public decrypt" of concatenated blocks; accepts any segment size the sender used
 * (each block carries its own length inside the padding).
 */
export function decryptSegments(cipher: Uint8Array, publicKey: KeyObject): Buffer {
  const blockBytes = keyBytes(publicKey);
  if (cipher.byteLength % blockBytes !== 0) {
    throw new EnvelopeError('truncated-block', 'data is not a whole number of RSA blocks', {
      details: `${cipher.byteLength} bytes, blocks of ${blockBytes}`,
    });
  }
  const parts: Buffer[] = [];
  for (let offset = 0; offset < cipher.byteLength; offset += blockBytes) {
    const block = cipher.subarray(offset, offset + blockBytes);
    try {
      parts.push(publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, block));
    } catch (cause) {
      throw new EnvelopeError('wrong-key', 'data does not decrypt with this public key', {
        details: `block ${offset / blockBytes + 1} of ${cipher.byteLength / blockBytes}`,
        cause,
      });
    }
  }
  return Buffer.concat(parts);
}
