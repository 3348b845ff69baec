/**
 * The operator audit trail at the operator API: every mutating route (anything but GET)
 * records one entry with the request's actor, the route key as the action, the record it
 * touched as the target, and whether it was done or refused (with the error code). The typed
 * route registration (typed-route.ts) does it for every route; a handler only adds what it
 * alone knows (the record before and after, a target its path does not name).
 *
 * When: right after the action, before the answer is sent, in a transaction of its own — most
 * actions run in their modules' transactions, which the route does not hold. A money move
 * (manual credits and debits) records its entry inside its own transaction instead (see
 * `auditInTransaction`), so the adjustment and its entry commit together. The gap left is a
 * crash between an action's commit and its entry; requests refused before any change have
 * nothing to lose.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../context.js';
import { recordOperatorEvent } from '../modules/operator-audit/index.js';
import type { Db } from '../store/tx.js';
import { actorOf, hasActor } from './actor-of.js';
import { asAdminError } from './errors.js';

/** What a handler adds to its route's entry. */
export interface AuditNote {
  /** The record acted on, when the path does not name it ("/users/42" for a credit). */
  target?: string;
  before?: unknown;
  after?: unknown;
}

type AuditDeps = Pick<ServiceContext, 'store' | 'clock' | 'log'>;
const trails = new WeakMap<FastifyInstance, AuditDeps>();
const notes = new WeakMap<FastifyRequest, AuditNote>();
const recorded = new WeakSet<FastifyRequest>();

/** Makes the routes registered on `app` record their entries on `deps.store` (once, before the routes). */
export function useOperatorAudit(app: FastifyInstance, deps: AuditDeps): void {
  trails.set(app, deps);
}

/** The trail routes on `app` record to; a route registered without one is a wiring bug. */
export function auditTrailOf(app: FastifyInstance): AuditDeps {
  const deps = trails.get(app);
  if (!deps) throw new Error('operator routes are registered on an instance without an audit trail (useOperatorAudit)');
  return deps;
}

/** Adds the record before/after (or the target) to the entry of `request`. */
export function noteAudit(request: FastifyRequest, note: AuditNote): void {
  notes.set(request, { ...notes.get(request), ...note });
}

/** True for the routes that record an entry: every method that may change something. */
export function isAudited(method: string): boolean {
  return method !== 'GET';
}

/**
 * The record a route acts on, from its path up to its last parameter: "POST /users/:uid/freeze"
 * with {uid: 42} → "/users/42"; a path without parameters as it is. Params are URI-encoded,
 * whatever they hold.
 */
function targetOf(key: string, params: unknown): string {
  const path = key.slice(key.indexOf(' ') + 1);
  const lastParam = path.lastIndexOf('/:');
  const recordPath = lastParam < 0 ? path : path.slice(0, path.indexOf('/', lastParam + 1) < 0 ? undefined : path.indexOf('/', lastParam + 1));
  const values = (params ?? {}) as Record<string, unknown>;
  return recordPath.replace(/:([A-Za-z]+)/g, (whole, name: string) => (values[name] === undefined ? whole : encodeURIComponent(String(values[name]))));
}

function eventOf(deps: AuditDeps, key: string, request: FastifyRequest, outcome: { error?: unknown }) {
  const note = notes.get(request) ?? {};
  const base = {
    actor: actorOf(request),
    action: key,
    target: note.target ?? targetOf(key, request.params),
    nowMs: deps.clock.nowMs(),
  };
  if (!('error' in outcome)) {
    return { ...base, outcome: 'done' as const, ...('before' in note ? { before: note.before } : {}), ...('after' in note ? { after: note.after } : {}) };
  }
  const known = asAdminError(outcome.error);
  const status = (outcome.error as { statusCode?: number } | null)?.statusCode;
  if (known) return { ...base, outcome: known.status >= 500 ? ('failed' as const) : ('refused' as const), errorCode: known.code };
  if (status !== undefined && status >= 400 && status < 500) return { ...base, outcome: 'refused' as const, errorCode: 'invalid' };
  return { ...base, outcome: 'failed' as const, errorCode: 'internal' };
}

/**
 * Records the entry of `request` once: done, or refused/failed with `error`. A failure to
 * record is the request's failure (500): an action nobody can trace is not answered as done.
 */
export async function recordRouteOutcome(deps: AuditDeps, key: string, request: FastifyRequest, outcome: { error?: unknown }, db: Db = deps.store.db): Promise<void> {
  if (recorded.has(request)) return;
  // A request that never authenticated (a refused login) is recorded by the auth code as a failure.
  if (!hasActor(request)) return;
  recorded.add(request);
  await recordOperatorEvent(db, eventOf(deps, key, request, outcome));
}

/**
 * A callback for operations that run a caller's step inside their transaction before it
 * commits (manual adjustments): it records the route's entry there, with the result as
 * `after`, so the money move and its entry commit together.
 */
export function auditInTransaction(app: FastifyInstance, key: string, request: FastifyRequest): (tx: Db, after: unknown) => Promise<void> {
  const deps = auditTrailOf(app);
  return async (tx, after) => {
    noteAudit(request, { after });
    await recordRouteOutcome(deps, key, request, {}, tx);
  };
}
