import { open } from '../envelope/envelope.js';
import { parsePublicKey, type KeyInput } from '../envelope/keys.js';
import { CallbackError } from './errors.js';

/**
 * A callback body as the merchant's framework hands it over: the raw
 * `application/x-www-form-urlencoded` text or bytes, URLSearchParams, or an object already
 * parsed by a body parser (Express `urlencoded()`, `@fastify/formbody`).
 */
export type CallbackBody = string | Uint8Array | URLSearchParams | Readonly<Record<string, unknown>>;

/** The two form fields of every callback. */
export interface CallbackForm {
  /** The merchant's app_id as the service sent it (undefined when absent). */
  app_id: string | undefined;
  /** The envelope, encrypted with the wallet private key. */
  data: string;
}

/** A callback after decryption. */
export interface OpenedCallback {
  appId: string | undefined;
  /** The decrypted JSON object. */
  payload: Record<string, unknown>;
}

const utf8 = new TextDecoder('utf-8');

function fromParams(params: URLSearchParams): Record<string, unknown> {
  return { app_id: params.get('app_id') ?? undefined, data: params.get('data') ?? undefined };
}

function fromText(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  // Some proxies and test tools re-post the form as JSON; accepting it costs nothing.
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // not JSON: fall through to form parsing, which will report the missing field
    }
  }
  return fromParams(new URLSearchParams(trimmed));
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw new CallbackError('bad-body', `form field ${field} is not a single string`, { details: typeof value });
}

/** Extracts `app_id` and `data` from any accepted body shape; throws CallbackError when `data` is missing. */
export function readCallbackForm(body: CallbackBody): CallbackForm {
  let fields: Record<string, unknown>;
  if (typeof body === 'string') fields = fromText(body);
  else if (body instanceof Uint8Array) fields = fromText(utf8.decode(body));
  else if (body instanceof URLSearchParams) fields = fromParams(body);
  else if (body && typeof body === 'object' && !Array.isArray(body)) fields = body as Record<string, unknown>;
  else throw new CallbackError('bad-body', 'callback body is not a form', { details: body === null ? 'null' : typeof body });

  const data = optionalString(fields['data'], 'data');
  if (!data || data.trim() === '') throw new CallbackError('missing-data', 'callback body has no data field');
  return { app_id: optionalString(fields['app_id'], 'app_id'), data };
}

/**
 * Reads and decrypts a callback body with the wallet public key. The envelope is the
 * authentication: only the holder of the wallet private key can produce one that opens.
 * @param walletPublicKey pass a KeyObject when calling repeatedly; text is parsed on every call.
 */
export function openCallback(body: CallbackBody, walletPublicKey: KeyInput): OpenedCallback {
  const form = readCallbackForm(body);
  const key = parsePublicKey(walletPublicKey, 'walletPublicKey');
  let payload: unknown;
  try {
    payload = open(form.data, key);
  } catch (cause) {
    throw new CallbackError('bad-envelope', 'callback data does not open with the wallet public key', {
      details: (cause as Error).message,
      cause,
    });
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new CallbackError('not-object', 'callback data is not a JSON object', {
      details: Array.isArray(payload) ? 'array' : payload === null ? 'null' : typeof payload,
    });
  }
  return { appId: form.app_id, payload: payload as Record<string, unknown> };
}
