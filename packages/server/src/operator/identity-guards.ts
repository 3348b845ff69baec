/**
 * Four eyes over identities. Whoever creates an account or resets its credentials holds its
 * one-time secrets, and whoever issues an API token holds the token: one admin could so act as
 * a second admin. Once four eyes are engaged (four-eyes.ts), power for another person waits for
 * a second admin: a new account starts as a viewer, a reset account of someone else drops to
 * viewer, and in both cases a role change request holds the roles asked for; API tokens are
 * issued only to oneself. The API routes and the CLI commands call these.
 */
import type { ServiceContext } from '../context.js';
import type { GuardedEnrolment } from '../contracts/operator.js';
import { AdminError } from '../errors/admin-errors.js';
import { addOperator, findOperator, resetOperator, setOperatorRoles, type Actor, type OperatorRole } from '../modules/operators/index.js';
import { fourEyesActive, runSensitive } from './four-eyes.js';

const viewerOnly = (roles: readonly OperatorRole[]) => roles.every((r) => r === 'viewer');

/** The role change a second admin approves, filed by `actor`. */
async function holdRoles(ctx: ServiceContext, name: string, roles: readonly OperatorRole[], actor: Actor) {
  const out = await runSensitive(ctx, 'PUT /operators/:name/roles', { params: { name }, body: { roles: [...roles] } }, actor);
  return 'pending' in out ? out.pending : null;
}

/** Creates an account; once four eyes are engaged, roles beyond viewer wait for a second admin. */
export async function addOperatorChecked(ctx: ServiceContext, input: { name: string; roles: readonly OperatorRole[] }, actor: Actor): Promise<GuardedEnrolment> {
  if (viewerOnly(input.roles) || !(await fourEyesActive(ctx))) return { ...(await addOperator(ctx, input)), pending_roles: null };
  const enrolment = await addOperator(ctx, { name: input.name, roles: ['viewer'] });
  return { ...enrolment, pending_roles: await holdRoles(ctx, input.name, input.roles, actor) };
}

/** New credentials for an account; once four eyes are engaged, someone else's roles beyond viewer then wait for a second admin. */
export async function resetOperatorChecked(ctx: ServiceContext, name: string, actor: Actor): Promise<GuardedEnrolment> {
  const target = await findOperator(ctx, name);
  if (!target || target.id === actor.operatorId || viewerOnly(target.roles) || !(await fourEyesActive(ctx))) return { ...(await resetOperator(ctx, name)), pending_roles: null };
  await setOperatorRoles(ctx, name, ['viewer']);
  const enrolment = await resetOperator(ctx, name);
  return { ...enrolment, pending_roles: await holdRoles(ctx, name, target.roles, actor) };
}

/**
 * Refuses, once four eyes are engaged, an API token for someone else who holds more than the
 * viewer role: a token acts as that person, and they ask for their own (POST /auth/tokens). A
 * viewer's first token may be handed over with the account, whose credentials its creator holds
 * anyway; roles come only with a second admin's approval.
 */
export async function checkTokenFor(ctx: ServiceContext, name: string, actor: Actor): Promise<void> {
  if (name === actor.name) return;
  const target = await findOperator(ctx, name);
  // An unknown name is the token action's own not_found.
  if (!target || viewerOnly(target.roles) || !(await fourEyesActive(ctx))) return;
  throw new AdminError('forbidden', `four eyes are engaged: an operator issues their own API tokens (${name} logs in and asks for one with POST /auth/tokens)`);
}
