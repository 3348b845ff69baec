import { CallbackError } from '../errors.js';
import type { CallbackBody } from '../body.js';

/** Largest callback body the adapters read (1 MiB): real callbacks are a few kilobytes. */
export const defaultBodyLimit = 1024 * 1024;

/** Options shared by the adapters. */
export interface AdapterOptions {
  /** Body size limit in bytes; larger bodies get 413. Default 1 MiB. */
  limit?: number;
}

/** The part of a Node readable request the adapters use (structural, so no framework types are needed). */
export interface BodyStreamLike {
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  readableEnded?: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  resume?(): unknown;
}

/**
 * Reads a request body up to `limit` bytes. Beyond it, stops buffering, lets the rest drain
 * (so the 413 reaches the client instead of a reset) and rejects with 'body-too-large'.
 */
export function readBody(stream: BodyStreamLike, limit = defaultBodyLimit): Promise<Buffer> {
  const tooLarge = () => new CallbackError('body-too-large', 'callback body is too large', { details: `limit ${limit} bytes` });
  const declared = Number(stream.headers?.['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    stream.resume?.();
    return Promise.reject(tooLarge());
  }
  if (stream.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.byteLength;
      if (size > limit) {
        cleanup();
        stream.resume?.();
        reject(tooLarge());
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(error);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/**
 * True when a framework body parser left something the handlers can read. An empty object
 * does not count: Express 4's json() leaves `{}` on a form request without reading the stream.
 */
export function isParsedBody(body: unknown): body is CallbackBody {
  if (typeof body === 'string') return body.length > 0;
  if (body instanceof Uint8Array) return body.byteLength > 0;
  if (body instanceof URLSearchParams) return true;
  if (body && typeof body === 'object' && !Array.isArray(body)) return 'data' in body || 'app_id' in body;
  return false;
}

/** Answer when the method is not POST: the service only POSTs callbacks. */
export const methodNotAllowed = { status: 405, contentType: 'text/plain; charset=utf-8', body: 'method not allowed' } as const;
/** Answer when the body exceeds the limit. */
export const payloadTooLarge = { status: 413, contentType: 'text/plain; charset=utf-8', body: 'request body too large' } as const;
/** Answer when the body could not be read (client aborted, stream error). */
export const badRequest = { status: 400, contentType: 'text/plain; charset=utf-8', body: 'cannot read request body' } as const;

/** True for the error readBody rejects with when the limit is exceeded. */
export function isTooLarge(error: unknown): boolean {
  return error instanceof CallbackError && error.reason === 'body-too-large';
}
