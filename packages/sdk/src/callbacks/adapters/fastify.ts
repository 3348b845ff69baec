import type { CallbackHandler } from '../response.js';
import { isParsedBody, methodNotAllowed } from './read-body.js';

/** The part of a Fastify request the adapter uses. */
export interface FastifyRequestLike {
  method?: string;
  /** An object from `@fastify/formbody`, or a string/Buffer from a content-type parser. */
  body?: unknown;
}

/** The part of a Fastify reply the adapter uses. */
export interface FastifyReplyLike {
  code(statusCode: number): unknown;
  type(contentType: string): unknown;
  header?(name: string, value: string): unknown;
}

/**
 * Mounts a callback handler as a Fastify route handler. Fastify reads the body itself, so
 * register a parser for `application/x-www-form-urlencoded` — `@fastify/formbody`, or
 * `app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, b, done) => done(null, b))`
 * — and rely on Fastify's `bodyLimit` for size. Sets status and content type, and returns
 * the payload for Fastify to send. Non-POST → 405.
 */
export function toFastifyHandler(
  handler: CallbackHandler,
): (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<string> {
  return async (request, reply) => {
    if (request.method !== undefined && request.method !== 'POST') {
      reply.code(methodNotAllowed.status);
      reply.type(methodNotAllowed.contentType);
      reply.header?.('Allow', 'POST');
      return methodNotAllowed.body;
    }
    const result = await handler.handle(isParsedBody(request.body) ? request.body : '');
    reply.code(result.status);
    reply.type(result.contentType);
    return result.body;
  };
}
