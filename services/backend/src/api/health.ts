import type { FastifyInstance } from 'fastify';
import { readiness, type HealthCheck, type Registry } from '@tributary/observability';

/** Liveness, readiness (every dependency probed with a timeout) and Prometheus metrics. */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: readonly HealthCheck[],
  registry: Registry,
): void {
  app.get('/healthz', { config: { auth: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    // The backend calls no source itself: it has no breakers of its own to report.
    const report = await readiness(checks);
    return reply.status(report.ok ? 200 : 503).send(report.body);
  });

  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
