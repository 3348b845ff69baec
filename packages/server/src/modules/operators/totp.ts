import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { operatorTotpDriftStepsMax, operatorTotpStepMs } from '../../limits.js';

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 6 digits, 30 s
 * steps, one step of drift either way — what every authenticator app speaks by default.
 */

export const totpDigits = 6;
const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (the otpauth:// secret format). */
export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** RFC 4648 base32 back to bytes (case and padding ignored); undefined for a character outside the alphabet. */
export function base32Decode(text: string): Buffer | undefined {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text.toUpperCase().replace(/=+$/, '')) {
    const index = base32Alphabet.indexOf(ch);
    if (index < 0) return undefined;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A fresh secret: 20 random bytes (RFC 4226's recommended length for SHA-1). */
export function generateTotpSecret(): Buffer {
  return randomBytes(20);
}

/** The time step `nowMs` falls in. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / operatorTotpStepMs);
}

/** HOTP of `secret` at counter `step` (RFC 4226 §5.3 dynamic truncation), `digits` long. */
export function hotp(secret: Buffer, step: number, digits: number = totpDigits): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * The step at which `code` is valid for `secret` around `nowMs` (±operatorTotpDriftStepsMax
 * steps), or undefined. Steps at or before `lastStep` are refused: a code works once.
 */
export function matchTotp(secret: Buffer, code: string, nowMs: number, lastStep = -1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const now = totpStep(nowMs);
  let matched: number | undefined;
  // Every candidate is compared, matched or not: the time taken says nothing about which one fits.
  for (let step = now - operatorTotpDriftStepsMax; step <= now + operatorTotpDriftStepsMax; step++) {
    const fits = timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(code));
    if (fits && step > lastStep && matched === undefined) matched = step;
  }
  return matched;
}

/** The enrolment URI authenticator apps read (as a QR code or pasted): otpauth://totp/… */
export function otpauthUri(account: string, secret: Buffer): string {
  const issuer = 'OpenWaaS';
  const label = encodeURIComponent(`${issuer}:${account}`);
  return `otpauth://totp/${label}?secret=${base32Encode(secret)}&issuer=${issuer}&algorithm=SHA1&digits=${totpDigits}&period=${operatorTotpStepMs / 1_000}`;
}
