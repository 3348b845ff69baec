import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import Fastify from 'fastify';
import { operatorBasePath, operatorEndpoints, routeTableMatchesResponses } from '../src/contracts/operator.js';
import { operatorRoutes } from '../src/operator/routes.js';
import type { ServiceContext } from '../src/context.js';
import { heldPageSizeMax as kytPageSizeMax } from '../src/modules/kyt/index.js';
import { reviewReasonLengthMax } from '../src/modules/kyt/index.js';
import { notificationStates as storedStates } from '../src/modules/notifications/index.js';
import { heldPageSizeMax, heldReasonLengthMax } from '../src/limits.js';
import { notificationStates } from '../src/contracts/operator.js';
import { readFileSync } from 'node:fs';

test('every operator route registered is in the contract table, and every contract route is registered', async () => {
  const app = Fastify();
  const registered: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') registered.push(`${method} ${route.url.slice(operatorBasePath.length)}`);
  });
  // Registering reads only the settings and the clock; no request is made.
  const ctx = { config: { operatorApi: true }, clock: { nowMs: () => 0 } } as unknown as ServiceContext;
  await app.register(operatorRoutes, { prefix: operatorBasePath, ctx });
  await app.ready();
  assert.deepEqual([...registered].sort(), Object.keys(operatorEndpoints).sort());
  assert.equal(new Set(registered).size, registered.length, 'a route is registered twice');
  assert.equal(routeTableMatchesResponses, true);
  await app.close();
});

test('the contract\'s bounds and vocabulary equal the domain\'s, so routes refuse exactly what the domain would', () => {
  assert.equal(heldPageSizeMax, kytPageSizeMax);
  assert.equal(heldReasonLengthMax, reviewReasonLengthMax);
  assert.deepEqual([...notificationStates], [...storedStates]);
});

test('the operator contract needs only zod and the bounds at run time (a console can import it)', () => {
  const text = readFileSync(new URL('../src/contracts/operator.ts', import.meta.url), 'utf8');
  const runtime = [...text.matchAll(/^import (?!type )[^;]*? from '([^']+)';/gms)].map((m) => m[1]);
  assert.deepEqual(runtime.sort(), ['../limits.js', 'zod']);
});
