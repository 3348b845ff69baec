import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { operatorTokenLengthMin } from '../limits.js';

/** The hex sha256 of a token: what the service keeps and compares, never the token itself. */
export function operatorTokenDigestHex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True for an IPv4/IPv6 address or a CIDR range ("10.0.0.0/8", "fd00::/8"). */
export function isIpOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Replaces a plaintext `operatorToken` by its digest in `operatorTokenHash`, so the running
 * service never holds the token; refuses tokens shorter than operatorTokenLengthMin and a
 * token that contradicts a configured hash. Returns the message of the problem, or the fields.
 */
export function sealOperatorToken(settings: { operatorToken: string; operatorTokenHash: string }): { operatorToken: ''; operatorTokenHash: string } | { problem: string } {
  const hash = settings.operatorTokenHash.toLowerCase();
  if (settings.operatorToken === '') return { operatorToken: '', operatorTokenHash: hash };
  if (settings.operatorToken.length < operatorTokenLengthMin) {
    return { problem: `operatorToken (OPENWAAS_OPERATOR_TOKEN) must be at least ${operatorTokenLengthMin} characters, is ${settings.operatorToken.length}` };
  }
  const digest = operatorTokenDigestHex(settings.operatorToken);
  if (hash !== '' && hash !== digest) return { problem: 'operatorToken and operatorTokenHash are both set and do not match: set one of them' };
  return { operatorToken: '', operatorTokenHash: digest };
}

/** The operator listener may not be the merchant one: the message of the problem, if it is. */
export function operatorListenerProblem(settings: { port: number; operatorPort: number }): string | undefined {
  if (settings.port === 0 || settings.port !== settings.operatorPort) return undefined;
  return `operatorPort (OPENWAAS_OPERATOR_PORT) ${settings.operatorPort} is the merchant API's port: the operator API needs a port of its own`;
}
