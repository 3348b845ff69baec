import type { CallbackHandler, CallbackResponse } from '../response.js';
import {
  badRequest,
  defaultBodyLimit,
  isParsedBody,
  isTooLarge,
  methodNotAllowed,
  payloadTooLarge,
  readBody,
  type AdapterOptions,
  type BodyStreamLike,
} from './read-body.js';

/** The part of an Express request the adapter uses (an IncomingMessage, maybe with `body`). */
export interface ExpressRequestLike extends Partial<BodyStreamLike> {
  method?: string;
  /** Whatever a body parser (`express.urlencoded()`, `express.text()`, `express.raw()`) left. */
  body?: unknown;
}

/** The part of an Express response the adapter uses. */
export interface ExpressResponseLike {
  status(code: number): unknown;
  set(field: string, value: string): unknown;
  send(body: string): unknown;
}

/** Express's `next`. */
export type ExpressNextLike = (error?: unknown) => void;

function send(res: ExpressResponseLike, reply: CallbackResponse, headers: Record<string, string> = {}): void {
  res.status(reply.status);
  res.set('Content-Type', reply.contentType);
  for (const [name, value] of Object.entries(headers)) res.set(name, value);
  res.send(reply.body);
}

function hasStream(req: ExpressRequestLike): req is ExpressRequestLike & BodyStreamLike {
  return typeof req.on === 'function' && typeof req.removeListener === 'function' && req.readableEnded !== true;
}

/**
 * Mounts a callback handler as Express (4 or 5) middleware. Uses `req.body` when a body
 * parser filled it, otherwise reads the raw stream (limit → 413), so it works with or
 * without `express.urlencoded()`. Non-POST → 405. A stream error goes to `next` when given.
 */
export function toExpressHandler(
  handler: CallbackHandler,
  options: AdapterOptions = {},
): (req: ExpressRequestLike, res: ExpressResponseLike, next?: ExpressNextLike) => void {
  const limit = options.limit ?? defaultBodyLimit;
  return (req, res, next) => {
    if (req.method !== undefined && req.method !== 'POST') {
      req.resume?.();
      send(res, methodNotAllowed, { Allow: 'POST' });
      return;
    }
    const body = isParsedBody(req.body) ? Promise.resolve(req.body) : hasStream(req) ? readBody(req, limit) : Promise.resolve('');
    body.then(
      async (readable) => send(res, await handler.handle(readable)),
      (error: unknown) => {
        if (isTooLarge(error)) send(res, payloadTooLarge, { Connection: 'close' });
        else if (next) next(error);
        else send(res, badRequest);
      },
    ).catch((error: unknown) => next?.(error));
  };
}
