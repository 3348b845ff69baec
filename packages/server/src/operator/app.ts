import Fastify from 'fastify';
import type { ServiceContext } from '../context.js';
import { operatorErrorRegistry } from '../contracts/operator-errors.js';
import { listenerOptions } from '../http-options.js';
import { AuthThrottle } from './auth-throttle.js';
import { consoleRoutes } from './console-static.js';
import { operatorBasePath, operatorRoutes, type OperatorRoutesOptions } from './routes.js';

/** The Fastify instance buildOperatorApp returns. */
export type OperatorApp = Awaited<ReturnType<typeof buildOperatorApp>>;

/** True when config.operatorApi is set: only then does the service open the operator listener. */
export function operatorEnabled(ctx: Pick<ServiceContext, 'config'>): boolean {
  return ctx.config.operatorApi;
}

/**
 * The operator API on a Fastify instance of its own, so it listens on its own address
 * (config.operatorHost:operatorPort, loopback by default) and never on the merchant port.
 * Behind a reverse proxy listed in config.trustedProxies the back-off counts per client
 * address from X-Forwarded-For; otherwise per connecting address. The same listener serves the
 * operator console's built files under /console (console-static.ts).
 */
export async function buildOperatorApp(ctx: ServiceContext, options: { throttle?: AuthThrottle; onAuthFailure?: OperatorRoutesOptions['onAuthFailure'] } = {}) {
  const app = Fastify(listenerOptions(ctx));
  app.setNotFoundHandler((request, reply) => {
    const notFound = operatorErrorRegistry.not_found;
    void reply.code(notFound.httpStatus).send({ error: notFound.code, message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  // The operator console (static files, same origin as the API it calls): outside the API's auth hooks.
  await app.register(consoleRoutes, { dir: ctx.config.consoleDir });
  await app.register(operatorRoutes, { prefix: operatorBasePath, ctx, throttle: options.throttle ?? new AuthThrottle({ clock: ctx.clock }), ...(options.onAuthFailure ? { onAuthFailure: options.onAuthFailure } : {}) });
  return app;
}
