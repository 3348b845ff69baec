import { LogController } from 'fastify';
import type { ServiceContext } from './context.js';

/** Fastify options both listeners share (merchant API and operator API). */
export function listenerOptions(ctx: Pick<ServiceContext, 'config' | 'log'>) {
  return {
    loggerInstance: ctx.log,
    bodyLimit: ctx.config.bodyLimitBytes,
    // X-Forwarded-For counts only from the configured proxies (rightmost untrusted hop), so a
    // merchant's IP allowlist and the operator back-off see the client behind a reverse proxy
    // and cannot be spoofed.
    trustProxy: ctx.config.trustedProxies.length > 0 ? ctx.config.trustedProxies : false,
    // Request bodies are small; keep slow clients from holding sockets forever.
    requestTimeout: 60_000,
    // One line per call from the routes instead of Fastify's two, which would log `data` in GET URLs.
    logController: new LogController({ disableRequestLogging: true }),
  };
}
