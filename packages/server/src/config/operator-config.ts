import { isIP } from 'node:net';

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
 * The shared operator token is retired: operators log in with their own accounts and tokens
 * (docs/operators.md). A configuration that still sets it is refused with what to do instead,
 * rather than silently opening nothing. OPENWAAS_OPERATOR_TOKEN is no service setting any more:
 * it is the operator's own API token that the CLI acts with.
 */
export function retiredOperatorSettings(settings: Record<string, unknown>, env: NodeJS.ProcessEnv): string | undefined {
  const named = ['operatorToken', 'operatorTokenHash'].filter((k) => settings[k] !== undefined && settings[k] !== '');
  if (env.OPENWAAS_OPERATOR_TOKEN_HASH !== undefined && env.OPENWAAS_OPERATOR_TOKEN_HASH !== '') named.push('OPENWAAS_OPERATOR_TOKEN_HASH');
  if (named.length === 0) return undefined;
  return `${named.join(', ')}: the shared operator token is retired; set operatorApi (OPENWAAS_OPERATOR_API=1) and create operator accounts with 'openwaas operator add' (docs/operators.md)`;
}

/** The operator listener may not be the merchant one: the message of the problem, if it is. */
export function operatorListenerProblem(settings: { port: number; operatorPort: number }): string | undefined {
  if (settings.port === 0 || settings.port !== settings.operatorPort) return undefined;
  return `operatorPort (OPENWAAS_OPERATOR_PORT) ${settings.operatorPort} is the merchant API's port: the operator API needs a port of its own`;
}
