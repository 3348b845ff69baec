import type { AuthFailure } from './sessions.js';

/**
 * Where authentication failures go beyond the log: the audit trail subscribes here once at
 * start-up. The operator API and the CLI report every failed login and refused token.
 */
const listeners = new Set<(failure: AuthFailure) => void>();

/** Subscribes to failures; returns the unsubscribe. */
export function onAuthFailure(listener: (failure: AuthFailure) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells every subscriber; a subscriber that throws does not stop the others or the refusal. */
export function reportAuthFailure(failure: AuthFailure): void {
  for (const listener of listeners) {
    try {
      listener(failure);
    } catch {
      // The refusal stands whatever a subscriber does.
    }
  }
}
