/**
 * Operator API for approval and spending policies (mounted inside operatorRoutes: same token
 * and error answers). Every change names its actor (updated_by / created_by). Schemas and views
 * in contracts/operator.ts; the rules themselves in modules/policies.
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import {
  listAllowlist,
  listApprovalPolicies,
  listDestinationSettings,
  listVelocityLimits,
  removeAllowlistedDestination,
} from '../modules/policies/index.js';
import { operatorRoute } from './typed-route.js';
import { sensitiveRoute } from './sensitive-route.js';

/** Registers the policy routes on the operator plugin instance. */
export function registerPolicyRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  operatorRoute(app, 'GET /policies', async () => ({
    approval: await listApprovalPolicies(ctx.store.db),
    velocity: await listVelocityLimits(ctx.store.db),
    destinations: await listDestinationSettings(ctx.store.db),
  }));
  // Policy changes wait for a second admin once two exist (four-eyes.ts).
  sensitiveRoute(app, ctx, 'PUT /policies/approval/:symbol');
  sensitiveRoute(app, ctx, 'DELETE /policies/approval/:symbol');
  sensitiveRoute(app, ctx, 'PUT /policies/velocity/:symbol');
  sensitiveRoute(app, ctx, 'DELETE /policies/velocity/:symbol');
  sensitiveRoute(app, ctx, 'PUT /policies/destinations');
  sensitiveRoute(app, ctx, 'DELETE /policies/destinations');
  operatorRoute(app, 'GET /merchants/:appId/allowlist', async ({ params }) => ({ destinations: await listAllowlist(ctx.store.db, params.appId) }));
  // A listed destination pays without review: adding one loosens a policy and waits like one; taking one off applies at once.
  sensitiveRoute(app, ctx, 'POST /merchants/:appId/allowlist');
  operatorRoute(app, 'DELETE /merchants/:appId/allowlist', async ({ params, query: q }) => removeAllowlistedDestination(ctx.store.db, { appId: params.appId, symbol: q.symbol, address: q.address }));
}
