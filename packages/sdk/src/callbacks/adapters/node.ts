import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackHandler, CallbackResponse } from '../response.js';
import { badRequest, defaultBodyLimit, isTooLarge, methodNotAllowed, payloadTooLarge, readBody, type AdapterOptions } from './read-body.js';

function send(res: ServerResponse, reply: CallbackResponse, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = reply.status;
  res.setHeader('Content-Type', reply.contentType);
  res.setHeader('Content-Length', Buffer.byteLength(reply.body));
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(reply.body);
}

/**
 * Mounts a callback handler on a plain `node:http` (or `https`, `http2` compat) server:
 * reads the body (over the limit → 413, `Connection: close`), answers 405 to anything
 * but POST, and writes the handler's status, content type and body.
 */
export function toNodeHttpHandler(
  handler: CallbackHandler,
  options: AdapterOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = options.limit ?? defaultBodyLimit;
  return (req, res) => {
    if (req.method !== 'POST') {
      req.resume();
      send(res, methodNotAllowed, { Allow: 'POST' });
      return;
    }
    readBody(req, limit).then(
      async (body) => send(res, await handler.handle(body)),
      (error: unknown) => send(res, isTooLarge(error) ? payloadTooLarge : badRequest, { Connection: 'close' }),
    ).catch(() => {
      // handle() never rejects; this only guards against a broken socket while writing.
      if (!res.writableEnded) res.destroy();
    });
  };
}
