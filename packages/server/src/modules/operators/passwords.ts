import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { operatorPasswordLengthMax, operatorPasswordScryptBlockSizeCount, operatorPasswordScryptCostCount, operatorPasswordScryptMemoryBytesMax } from '../../limits.js';

/**
 * Operator passwords: scrypt (memory-hard, so each guess costs memory as well as time) with a
 * random salt per account. The stored value names its parameters — "scrypt$N$r$p$salt$hash" —
 * so raising the cost later leaves older hashes verifiable. Verification compares in constant
 * time and runs scrypt off the event loop.
 */

const saltBytes = 16;
const keyBytes = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** A new hash of `password` with a fresh salt and the current parameters. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const [N, r, p] = [operatorPasswordScryptCostCount, operatorPasswordScryptBlockSizeCount, 1];
  const key = await scryptAsync(password, salt, { N, r, p, maxmem: operatorPasswordScryptMemoryBytesMax });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches `stored`; a malformed stored value or an oversized password is false. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length > operatorPasswordLengthMax) return false;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (![N, r, p].every(Number.isSafeInteger) || expected.length !== keyBytes) return false;
  const key = await scryptAsync(password, salt, { N, r, p, maxmem: operatorPasswordScryptMemoryBytesMax });
  return timingSafeEqual(key, expected);
}

/** A dummy hash to verify against when the account does not exist, so the answer takes as long. */
let dummy: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('hex')));
}

/** A new random password (24 characters, 144 bits), shown once to the operator. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
