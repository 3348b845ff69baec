import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import Fastify from 'fastify';
import { operatorBasePath, operatorEndpoints, routeTableMatchesResponses } from '../src/contracts/operator.js';
import { operatorRoutes } from '../src/operator/routes.js';
import type { ServiceContext } from '../src/context.js';

test('every operator route registered is in the contract table, and every contract route is registered', async () => {
  const app = Fastify();
  const registered: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') registered.push(`${method} ${route.url.slice(operatorBasePath.length)}`);
  });
  // Registering reads only the token and the clock; no request is made.
  const ctx = { config: { operatorToken: 'token', operatorTokenHash: '' }, clock: { nowMs: () => 0 } } as unknown as ServiceContext;
  await app.register(operatorRoutes, { prefix: operatorBasePath, ctx });
  await app.ready();
  assert.deepEqual([...registered].sort(), Object.keys(operatorEndpoints).sort());
  assert.equal(new Set(registered).size, registered.length, 'a route is registered twice');
  assert.equal(routeTableMatchesResponses, true);
  await app.close();
});
