import { operatorRoles, type OperatorRole } from './actor.js';

/**
 * What a role grants: every role reads (viewer); reviewer, treasurer and admin each add their
 * own actions, and admin holds every action. `roleAllows(roles, least)` answers whether an
 * operator holding `roles` may call something whose least role is `least`.
 */
export function roleAllows(roles: readonly OperatorRole[], least: OperatorRole): boolean {
  if (roles.length === 0) return false;
  if (least === 'viewer') return true;
  return roles.includes(least) || roles.includes('admin');
}

/** Roles as stored ("reviewer,viewer"), in the canonical order, each once. */
export function encodeRoles(roles: readonly OperatorRole[]): string {
  return operatorRoles.filter((r) => roles.includes(r)).join(',');
}

/** Stored roles back to the list; an unknown word (a row from a newer version) grants nothing. */
export function decodeRoles(stored: string): OperatorRole[] {
  const words = stored.split(',');
  return operatorRoles.filter((r) => words.includes(r));
}

export function isOperatorRole(word: string): word is OperatorRole {
  return (operatorRoles as readonly string[]).includes(word);
}
