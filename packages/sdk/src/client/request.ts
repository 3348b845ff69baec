import type { KeyObject } from 'node:crypto';
import { open, seal } from '../envelope/envelope.js';
import { WaasError, WaasTransportError } from '../errors/api.js';
import { exchange, type HttpMethod } from './transport.js';

/** What every call needs: parsed keys and transport settings, fixed when the client is built. */
export interface RequestContext {
  /** Service root including "/api/v2", without trailing slash. */
  apiUrl: string;
  appId: string;
  privateKey: KeyObject;
  walletPublicKey: KeyObject;
  timeoutMs: number;
  segmentBytes: number | undefined;
  /** Overrides the endpoint's documented method when set. */
  forceMethod: HttpMethod | undefined;
  fetch: typeof fetch;
  /** The `time` of the next request (ms): strictly increasing per client, see WaasClient. */
  nextTimeMs(): number;
}

/** An endpoint as in the `endpoints` table. */
export interface EndpointRoute {
  method: HttpMethod;
  path: string;
}

/**
 * The plaintext of a request's `data`: the params without undefined values, arrays joined
 * with "," (`ids`), plus `time` (ms), `charset` and `version`.
 */
export function requestFields(params: object, now: number = Date.now()): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    fields[key] = Array.isArray(value) ? value.join(',') : value;
  }
  fields['time'] = now;
  fields['charset'] = 'utf-8';
  fields['version'] = 'v2';
  return fields;
}

/** Seals the params, sends them, opens the answer and returns its `data`, or throws WaasError for a non-zero code. */
export async function request<T>(context: RequestContext, route: EndpointRoute, params: object): Promise<T> {
  const data = seal(requestFields(params, context.nextTimeMs()), context.privateKey, { segmentBytes: context.segmentBytes });
  const method = context.forceMethod ?? route.method;
  const url = context.apiUrl + route.path;
  const reply = await exchange({
    url,
    method,
    fields: { app_id: context.appId, data },
    timeoutMs: context.timeoutMs,
    fetch: context.fetch,
  });
  const body = open<unknown>(reply.data, context.walletPublicKey);
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('code' in body)) {
    throw new WaasTransportError(`${method} ${url}: decrypted response has no code`, { status: reply.status });
  }
  const { code, msg, data: payload } = body as { code: unknown; msg?: unknown; data?: unknown };
  if (String(code) === '0') return payload as T;
  throw new WaasError(String(code), typeof msg === 'string' ? msg : undefined, payload);
}
