import type { FastifyRequest } from 'fastify';
import type { Actor } from '../modules/operators/index.js';

/**
 * Who acts: on the operator API the operator whose session or API token the request carries
 * (set by the auth hook in routes.ts before any handler runs); on the CLI the operator whose
 * API token the command was given, or the host itself creating the first admin (cli/operator-auth.ts).
 */
const actors = new WeakMap<FastifyRequest, { actor: Actor; tokenId: number; kind: 'session' | 'api' }>();

/** Records the authenticated actor of `request` (the auth hook only). */
export function setActorOf(request: FastifyRequest, auth: { actor: Actor; tokenId: number; kind: 'session' | 'api' }): void {
  actors.set(request, auth);
}

/** The token `request` authenticated with (logout, /auth/me). */
export function authOf(request: FastifyRequest): { actor: Actor; tokenId: number; kind: 'session' | 'api' } {
  const auth = actors.get(request);
  if (!auth) throw new Error('no authenticated operator on this request: the route was registered without its role');
  return auth;
}

/** True once the request is authenticated (every route but logging in, and a login that succeeded). */
export function hasActor(request: FastifyRequest): boolean {
  return actors.has(request);
}

/** The actor of an authenticated operator request. */
export function actorOf(request: FastifyRequest): Actor {
  return authOf(request).actor;
}

let currentCliActor: Actor | undefined;

/** Records the actor of the CLI command about to run (the CLI's role check only). */
export function setCliActor(actor: Actor | undefined): void {
  currentCliActor = actor;
}

/** The actor of the CLI operator command running now (its role was checked before it ran). */
export function cliActor(): Actor {
  if (!currentCliActor) throw new Error('no operator authenticated for this command: its leaf declares no role');
  return currentCliActor;
}
