/** Roles an operator can hold (several per person): what each may do is in docs/operators.md. */
export const operatorRoles = ['viewer', 'reviewer', 'treasurer', 'admin'] as const;
export type OperatorRole = (typeof operatorRoles)[number];

/**
 * The person behind an operator request or CLI command: who acts, with which roles, from
 * where. Every decision an operator takes (approvals, policy changes, manual money moves)
 * names its actor, so it can be traced to one accountable person.
 */
export interface Actor {
  readonly operatorId: number;
  readonly name: string;
  readonly roles: readonly OperatorRole[];
  /** The client address of the request ("cli" for a command run on the host). */
  readonly sourceIp: string;
}
