import type { Actor, AuthFailure } from '../operators/index.js';
import type { OperatorEvent } from './entry.js';

/**
 * A refused login or token as an audit entry. The actor is who the request claimed to be (the
 * account name given, if any) and where it came from: never the password or token presented.
 */
export function authFailureEvent(failure: AuthFailure): OperatorEvent {
  return {
    actor: { operatorId: 0, name: failure.name ?? '', roles: [], sourceIp: failure.sourceIp },
    action: failure.kind === 'login' ? 'auth login' : 'auth token',
    target: failure.name ? `/operators/${failure.name}` : '',
    outcome: 'refused',
    errorCode: failure.reason,
    nowMs: failure.atMs,
  };
}

/** An authenticated operator refused for want of a role, as an audit entry. */
export function forbiddenEvent(input: { actor: Actor; action: string; target: string; nowMs: number }): OperatorEvent {
  return { ...input, outcome: 'refused', errorCode: 'forbidden' };
}

/** The actor of decisions the service takes by its policies (a withdrawal sent to review): no person, no address. */
export const policyActor: Actor = { operatorId: 0, name: 'policy', roles: [], sourceIp: '' };
