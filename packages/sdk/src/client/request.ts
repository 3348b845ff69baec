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
  /** Stamps each request's `time`, see RequestTimes. */
  times: RequestTimes;
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

/** Entries kept before the ones of past milliseconds are dropped (they can no longer collide). */
const requestTimesEntriesMax = 1_024;

/**
 * Envelopes are deterministic: two calls in one millisecond with the same fields (say two sync
 * lists from max_id 0) would be byte-identical, and the service refuses an envelope it already
 * accepted on another endpoint as a replay. So a client never seals the same fields with the
 * same `time` twice: a repeat in the same millisecond gets the next one. Only repeats move
 * `time` ahead of the clock, by one ms per repeat within a millisecond.
 */
export class RequestTimes {
  /** Fields (without `time`) as JSON → the last `time` sealed with them. */
  readonly #lastMs = new Map<string, number>();

  /** The request fields of `params` with a `time` this client has not sealed them with yet. */
  fields(params: object, now: number = Date.now()): Record<string, unknown> {
    const fields = requestFields(params, 0);
    const key = JSON.stringify(fields);
    const last = this.#lastMs.get(key);
    const time = last !== undefined && last >= now ? last + 1 : now;
    if (this.#lastMs.size >= requestTimesEntriesMax) {
      for (const [k, ms] of this.#lastMs) if (ms < now) this.#lastMs.delete(k);
    }
    this.#lastMs.set(key, time);
    fields['time'] = time;
    return fields;
  }
}

/** Seals the params, sends them, opens the answer and returns its `data`, or throws WaasError for a non-zero code. */
export async function request<T>(context: RequestContext, route: EndpointRoute, params: object): Promise<T> {
  const data = seal(context.times.fields(params), context.privateKey, { segmentBytes: context.segmentBytes });
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
