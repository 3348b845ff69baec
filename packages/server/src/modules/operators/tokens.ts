import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer tokens of operators: 32 random bytes, base64url, behind a prefix that says what the
 * token is (a leaked one is recognisable in a scan): "ows_" a login session, "owa_" an API
 * token. 256 bits need no slow hash: only the sha256 is stored, looked up by equality.
 */
export type TokenKind = 'session' | 'api';

const prefixes: Record<TokenKind, string> = { session: 'ows_', api: 'owa_' };

export function generateToken(kind: TokenKind): string {
  return prefixes[kind] + randomBytes(32).toString('base64url');
}

/** The stored form of a token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
