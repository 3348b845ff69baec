import type { FastifyRequest } from 'fastify';
import { operatorRoles, type Actor } from '../modules/operators/index.js';

/**
 * The actor of an authenticated operator request. Until operator accounts exist, the one
 * shared operator token stands for a single operator holding every role.
 */
export function actorOf(request: FastifyRequest): Actor {
  return { operatorId: 0, name: 'operator', roles: operatorRoles, sourceIp: request.ip };
}

/** The actor of a CLI command run on the host (same interim rule as actorOf). */
export function cliActor(): Actor {
  return { operatorId: 0, name: 'operator', roles: operatorRoles, sourceIp: 'cli' };
}
