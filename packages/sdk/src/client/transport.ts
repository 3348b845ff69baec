import { WaasError, WaasTimeoutError, WaasTransportError } from '../errors/api.js';

/** An HTTP method the service accepts on every endpoint. */
export type HttpMethod = 'GET' | 'POST';

/** One HTTP exchange with the wallet service. */
export interface HttpExchange {
  /** Full endpoint URL without query string, e.g. "http://127.0.0.1:8080/api/v2/billing/withdraw". */
  url: string;
  method: HttpMethod;
  /** The form fields (`app_id`, `data`): the query string of a GET, the urlencoded body of a POST. */
  fields: Record<string, string>;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** A response that carried an envelope. */
export interface EnvelopeReply {
  status: number;
  /** The still-encrypted `data` of `{"data":"…"}`. */
  data: string;
}

/**
 * Sends the form and returns the response's `data` envelope, still encrypted.
 * Throws WaasTimeoutError after `timeoutMs` (headers and body included), WaasTransportError
 * when no usable answer arrives, and WaasError for the plain-JSON errors the service sends
 * before it knows the merchant (e.g. 100015, HTTP 200; older services sent it with a 4xx).
 */
export async function exchange(request: HttpExchange): Promise<EnvelopeReply> {
  const form = new URLSearchParams(request.fields).toString();
  const headers: Record<string, string> = { accept: 'application/json' };
  const signal = AbortSignal.timeout(request.timeoutMs);
  let target = request.url;
  const init: RequestInit = { method: request.method, headers, signal };
  if (request.method === 'GET') {
    target = `${request.url}?${form}`;
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    init.body = form;
  }

  let status: number;
  let text: string;
  try {
    const response = await request.fetch(target, init);
    status = response.status;
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw new WaasTimeoutError(request.timeoutMs, `${request.method} ${request.url}`);
    throw new WaasTransportError(`${request.method} ${request.url} failed`, { details: describeFailure(error), cause: error });
  }
  return readReply(status, text, `${request.method} ${request.url}`);
}

/** Classifies a response body: the envelope, a plain API error, or a transport failure. */
export function readReply(status: number, text: string, what: string): EnvelopeReply {
  const body = parseJsonObject(text);
  const ok = status >= 200 && status < 300;
  if (ok && typeof body?.['data'] === 'string') return { status, data: body['data'] };
  // A plain `{"code","msg"}` is the service speaking, not the network: HTTP 200 (API.md §1), also read on a 4xx from older services.
  if ((ok || (status >= 400 && status < 500)) && body && isErrorCode(body['code'])) {
    throw new WaasError(String(body['code']), typeof body['msg'] === 'string' ? body['msg'] : undefined, body['data']);
  }
  const why = !ok ? `HTTP ${status}` : body ? 'response has no data envelope' : 'response is not a JSON object';
  throw new WaasTransportError(`${what}: ${why}`, { status, details: snippet(text) });
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isErrorCode(code: unknown): code is string | number {
  return (typeof code === 'string' || typeof code === 'number') && String(code) !== '' && String(code) !== '0';
}

/** The first characters of a body, on one line, for error details. */
function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return 'empty body';
  return line.length > 120 ? `body: ${line.slice(0, 120)}…` : `body: ${line}`;
}

/** "ECONNREFUSED 127.0.0.1:1" rather than fetch's bare "fetch failed". */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  for (const e of [cause, error]) {
    if (e && typeof e === 'object') {
      const { code, message } = e as { code?: unknown; message?: unknown };
      if (typeof code === 'string') return typeof message === 'string' && message.includes(code) ? message : `${code}: ${String(message)}`;
    }
  }
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
