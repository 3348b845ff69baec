import { apiBasePath, endpoints, extensionEndpoints, type EndpointName, type ExtensionEndpointName } from '@openwaas/sdk';
import Fastify, { type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ServiceContext } from '../context.js';
import { ErrorCode, errorMessages, errorRegistry } from '../contracts/errors.js';
import { loggedAppIdLengthMax } from '../limits.js';
import { listenerOptions } from '../http-options.js';
import { ApiGateway } from './envelope.js';
import { extensionHandlers, handlers } from './handlers/index.js';
import type { AnyHandler } from './handler.js';

/** Form fields as parsed from a query string or urlencoded body; repeated keys keep the first value. */
type FormFields = Record<string, string>;

function parseForm(text: string): FormFields {
  const fields: FormFields = {};
  for (const [key, value] of new URLSearchParams(text)) if (!(key in fields)) fields[key] = value;
  return fields;
}

/** A body of unknown type: JSON when it looks like an object, a form otherwise (lax clients omit the header). */
function parseLoose(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed);
  return parseForm(text);
}

/** First value of a field from a parsed body or query (arrays from repeated keys → the first). */
function pick(source: unknown, key: string): unknown {
  if (source === null || typeof source !== 'object') return undefined;
  const value = (source as Record<string, unknown>)[key];
  return Array.isArray(value) ? value[0] : value;
}

/** A plain (not enveloped) JSON error for requests that never reach a merchant. */
function plainError(code: ErrorCode, msg: string = errorMessages[code]) {
  return { code, msg };
}

/** The Fastify instance buildApp returns (its logger is the service's pino logger). */
export type ApiApp = Awaited<ReturnType<typeof buildApp>>;

/** What a caller of buildApp may observe: each answered call (the metrics count them). */
export interface ApiAppOptions {
  onApiCall?(call: { endpoint: EndpointName | ExtensionEndpointName; status: number; code: string; seconds: number }): void;
}

/**
 * The HTTP API: every endpoint of the SDK table under /api/v2, on GET (query string) and POST
 * (urlencoded form, or JSON `{app_id, data}`), through the ApiGateway's checks.
 */
export async function buildApp(ctx: ServiceContext, options: ApiAppOptions = {}) {
  const app = Fastify(listenerOptions(ctx));

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseForm(body as string));
  });
  // Fastify reads text/plain as a bare string; lax clients send forms under that type too.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(['text/plain', '*'], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseLoose(body as string));
    } catch {
      const error = Object.assign(new Error('body is not valid JSON or form data'), { statusCode: 400 });
      done(error, undefined);
    }
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  // Errors before the route handler (body parsing, size): plain JSON, no stack trace.
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      request.log.warn({ path: request.url.split('?')[0] }, 'request body too large');
      return reply.code(413).send(plainError(ErrorCode.InvalidParameter, `request body exceeds ${ctx.config.bodyLimitBytes} bytes`));
    }
    if (status >= 400 && status < 500) {
      request.log.warn({ path: request.url.split('?')[0], reason: error.message }, 'malformed request');
      return reply.code(errorRegistry.InvalidParameter.plainHttpStatus).send(plainError(ErrorCode.InvalidParameter, 'request body is not valid'));
    }
    request.log.error({ err: error, path: request.url.split('?')[0] }, 'unexpected error');
    return reply.code(errorRegistry.SystemError.plainHttpStatus).send(plainError(ErrorCode.SystemError));
  });

  // The operator API is not mounted here: it has its own listener (operator/app.ts).
  const gateway = new ApiGateway(ctx);
  // The contract's endpoints, then this service's extensions under /ext (docs/api-extensions.md), through the same checks.
  const routes: Array<[EndpointName | ExtensionEndpointName, string, AnyHandler]> = [
    ...(Object.keys(endpoints) as EndpointName[]).map((name): [EndpointName, string, AnyHandler] => [name, endpoints[name].path, handlers[name]]),
    ...(Object.keys(extensionEndpoints) as ExtensionEndpointName[]).map((name): [ExtensionEndpointName, string, AnyHandler] => [name, extensionEndpoints[name].path, extensionHandlers[name]]),
  ];
  for (const [name, path, handler] of routes) {
    app.route({
      method: ['GET', 'POST'],
      url: apiBasePath + path,
      handler: async (request: FastifyRequest, reply) => {
        const body = request.body;
        const query = request.query;
        // POST: the body's fields, falling back to the query string (some clients mix them).
        const appId = pick(body, 'app_id') ?? pick(query, 'app_id');
        const data = pick(body, 'data') ?? pick(query, 'data');
        const started = performance.now();
        const answer = await gateway.handle(name, handler, { appId, data, ip: request.ip, log: request.log as Logger });
        options.onApiCall?.({ endpoint: name, status: answer.status, code: answer.code, seconds: (performance.now() - started) / 1_000 });
        request.log.info(
          { endpoint: name, method: request.method, app_id: typeof appId === 'string' ? appId.slice(0, loggedAppIdLengthMax) : undefined, status: answer.status, code: answer.code, ms: Math.round(performance.now() - started) },
          'api call',
        );
        return reply.code(answer.status).header('content-type', 'application/json; charset=utf-8').send(answer.body);
      },
    });
  }
  return app;
}
