/**
 * Type-level test, compiled by `npm run typecheck` (never run): an operator route registered
 * through the contract (operator/typed-route.ts) must answer the contract's view for its route
 * and reads only the request pieces its schemas parse. Every `@ts-expect-error` must meet an
 * error, or the typecheck fails.
 */
import type { FastifyInstance } from 'fastify';
import type { OperatorResponse } from '../../src/contracts/operator.js';
import { operatorRoute } from '../../src/operator/typed-route.js';

declare const app: FastifyInstance;

// A correct route compiles; its params are parsed (id is a number).
operatorRoute(app, 'POST /alerts/:id/resolve', async ({ params }) => ({ id: params.id, resolved: true }));

// @ts-expect-error a dropped field (resolved) fails.
operatorRoute(app, 'POST /alerts/:id/resolve', async ({ params }) => ({ id: params.id }));

// @ts-expect-error a renamed field (merchant for merchants) fails.
operatorRoute(app, 'GET /merchants', async () => ({ merchant: [] }));

// @ts-expect-error a route that is not in the contract fails.
operatorRoute(app, 'GET /nope', async () => ({}));

// @ts-expect-error a route without a body schema has no body.
operatorRoute(app, 'POST /withdrawals/:id/cancel', async ({ body }) => body);

// The views are importable for a console.
export type MerchantList = OperatorResponse<'GET /merchants'>['merchants'];
