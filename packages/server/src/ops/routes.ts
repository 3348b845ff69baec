/**
 * The operations routes: /health and /ready on both listeners, /metrics on the operator listener.
 *
 * None asks for a token. Load balancers and orchestrators call /health and /ready and hold no
 * credentials; their answers name checks, never secrets or node URLs. /metrics is on the operator
 * listener only (loopback by default): a scraper reaches it where the operator API is reachable,
 * and operator API tokens expire, which a scrape configuration cannot follow. Its samples show
 * balances, backlogs and lease holders, nothing that acts on funds; a deployment that exposes the
 * operator listener (for the console) keeps /metrics off the proxy (docs/monitoring.md).
 */
import type { FastifyInstance } from 'fastify';
import type { ReadyAnswer } from './health.js';
import type { ServiceMetrics } from './metrics.js';

/** Paths of the operations routes (outside /api/v2 and /operator/v1). */
export const healthPath = '/health';
export const readyPath = '/ready';
export const metricsPath = '/metrics';

/** /health and /ready, registered on each listener; `readiness` is one sharedReadiness() for both. */
export async function healthRoutes(app: FastifyInstance, options: { readiness: () => Promise<ReadyAnswer> }): Promise<void> {
  const { readiness } = options;
  app.get(healthPath, async (_request, reply) => reply.code(200).header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get(readyPath, async (_request, reply) => {
    const answer = await readiness();
    return reply.code(answer.ready ? 200 : 503).header('cache-control', 'no-store').send(answer);
  });
}

/** /metrics (Prometheus text format), registered on the operator listener. */
export async function metricsRoutes(app: FastifyInstance, options: { metrics: ServiceMetrics }): Promise<void> {
  const { metrics } = options;
  app.get(metricsPath, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.code(200).header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
