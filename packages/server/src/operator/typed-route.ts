import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OperatorRole } from '../modules/operators/index.js';
import { operatorEndpoints, type OperatorEndpoint, type OperatorRequest, type OperatorResponse, type OperatorRoute } from '../contracts/operator.js';
import { auditTrailOf, isAudited, recordRouteOutcome } from './audit-trail.js';
import { PendingChange } from './four-eyes.js';

/** What a route tells the auth hook: the least role that may call it (null: no token needed). */
export interface OperatorRouteConfig {
  operatorRole: OperatorRole | null;
}

/** Empty bodies (POST without content) read as {}. */
const bodyOf = (request: FastifyRequest) => (request.body === undefined || request.body === null || request.body === '' ? {} : request.body);

/** Parses a request's params, query and body with the schemas of route `key` (a failure is a ZodError: 400 invalid). */
export function parseOperatorRequest<R extends OperatorRoute>(key: R, request: FastifyRequest): OperatorRequest<R> {
  const endpoint: OperatorEndpoint = operatorEndpoints[key];
  const out: Record<string, unknown> = {};
  if (endpoint.params) out['params'] = endpoint.params.parse(request.params);
  if (endpoint.query) out['query'] = endpoint.query.parse(request.query);
  if (endpoint.body) out['body'] = endpoint.body.parse(bodyOf(request));
  return out as OperatorRequest<R>;
}

/**
 * Registers route `key` of the operator contract ("METHOD /path") with the contract's role: its request is parsed with
 * the contract's schemas, its result must be the contract's view for it, and it answers with
 * the contract's status (201 created, 204 without a body), or 202 with the change request when a
 * sensitive change waits for a second admin (four-eyes.ts). Every route but GET records its
 * outcome in the operator audit trail (audit-trail.ts) before answering, refusals included.
 */
export function operatorRoute<R extends OperatorRoute>(
  app: FastifyInstance,
  key: R,
  handler: (input: OperatorRequest<R>, request: FastifyRequest) => Promise<OperatorResponse<R> | PendingChange>,
): void {
  const space = key.indexOf(' ');
  const method = key.slice(0, space) as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  const url = key.slice(space + 1);
  const { status, role }: OperatorEndpoint = operatorEndpoints[key];
  const trail = isAudited(method) ? auditTrailOf(app) : undefined;
  // Runs before the error handler answers: a refusal in any step after authentication (hooks, parsing, the handler).
  const onError = async (request: FastifyRequest, _reply: FastifyReply, error: Error) => {
    try {
      await recordRouteOutcome(trail!, key, request, { error });
    } catch (failure) {
      request.log.error({ err: failure, url: request.url }, 'operator API: could not record a refusal in the audit trail');
    }
  };
  app.route({
    method,
    url,
    // The plugin's onRequest hook authenticates and checks this role before the handler runs.
    config: { operatorRole: role } satisfies OperatorRouteConfig,
    ...(trail ? { onError } : {}),
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await handler(parseOperatorRequest(key, request), request);
      if (trail) await recordRouteOutcome(trail, key, request, {});
      if (result instanceof PendingChange) return reply.code(202).send(result.request);
      if (status === 204) return reply.code(204).send();
      if (status !== undefined) return reply.code(status).send(result);
      return result;
    },
  });
}
