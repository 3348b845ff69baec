/**
 * Operator API for approval and spending policies (mounted inside operatorRoutes: same token
 * and error answers). Every change names its actor (updated_by / created_by). Schemas and views
 * in contracts/operator.ts; the rules themselves in modules/policies.
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import {
  addAllowlistedDestination,
  clearApprovalPolicy,
  clearDestinationSettings,
  clearVelocityLimit,
  listAllowlist,
  listApprovalPolicies,
  listDestinationSettings,
  listVelocityLimits,
  removeAllowlistedDestination,
  setApprovalPolicy,
  setDestinationSettings,
  setVelocityLimit,
} from '../modules/policies/index.js';
import { actorOf } from './actor-of.js';
import { operatorRoute } from './typed-route.js';

const scoped = (appId: string | undefined) => (appId !== undefined ? { appId } : {});

/** Registers the policy routes on the operator plugin instance. */
export function registerPolicyRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  operatorRoute(app, 'GET /policies', async () => ({
    approval: await listApprovalPolicies(ctx.store.db),
    velocity: await listVelocityLimits(ctx.store.db),
    destinations: await listDestinationSettings(ctx.store.db),
  }));
  operatorRoute(app, 'PUT /policies/approval/:symbol', async ({ params, body: b }, request) =>
    setApprovalPolicy(ctx.store.db, {
      ...scoped(b.app_id),
      symbol: params.symbol,
      aboveAmount: b.above_amount,
      approvalsRequired: b.approvals_required,
      ...(b.company_review !== undefined ? { companyReview: b.company_review } : {}),
      actor: actorOf(request),
      nowMs: ctx.clock.nowMs(),
    }),
  );
  operatorRoute(app, 'DELETE /policies/approval/:symbol', async ({ params, query: q }) => clearApprovalPolicy(ctx.store.db, { ...scoped(q.app_id), symbol: params.symbol }));
  operatorRoute(app, 'PUT /policies/velocity/:symbol', async ({ params, body: b }, request) =>
    setVelocityLimit(ctx.store.db, {
      ...scoped(b.app_id),
      symbol: params.symbol,
      scope: b.scope,
      windowS: b.window_s,
      ...(b.max_amount !== undefined ? { maxAmount: b.max_amount } : {}),
      ...(b.max_count !== undefined ? { maxCount: b.max_count } : {}),
      actor: actorOf(request),
      nowMs: ctx.clock.nowMs(),
    }),
  );
  operatorRoute(app, 'DELETE /policies/velocity/:symbol', async ({ params, query: q }) =>
    clearVelocityLimit(ctx.store.db, { ...scoped(q.app_id), symbol: params.symbol, scope: q.scope, windowS: q.window_s }),
  );
  operatorRoute(app, 'PUT /policies/destinations', async ({ body: b }, request) =>
    setDestinationSettings(ctx.store.db, {
      ...scoped(b.app_id),
      ...(b.allowlist_enabled !== undefined ? { allowlistEnabled: b.allowlist_enabled } : {}),
      ...(b.new_address_cooldown_s !== undefined ? { newAddressCooldownS: b.new_address_cooldown_s } : {}),
      actor: actorOf(request),
      nowMs: ctx.clock.nowMs(),
    }),
  );
  operatorRoute(app, 'DELETE /policies/destinations', async ({ query: q }) => clearDestinationSettings(ctx.store.db, scoped(q.app_id)));
  operatorRoute(app, 'GET /merchants/:appId/allowlist', async ({ params }) => ({ destinations: await listAllowlist(ctx.store.db, params.appId) }));
  operatorRoute(app, 'POST /merchants/:appId/allowlist', async ({ params, body: b }, request) =>
    addAllowlistedDestination(ctx.store.db, {
      appId: params.appId,
      symbol: b.symbol,
      address: b.address,
      ...(b.label !== undefined ? { label: b.label } : {}),
      actor: actorOf(request),
      nowMs: ctx.clock.nowMs(),
    }),
  );
  operatorRoute(app, 'DELETE /merchants/:appId/allowlist', async ({ params, query: q }) => removeAllowlistedDestination(ctx.store.db, { appId: params.appId, symbol: q.symbol, address: q.address }));
}
