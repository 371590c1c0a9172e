import type { FastifyInstance } from 'fastify';
import { runHealthChecks, type HealthCheck, type Registry } from '@tributary/observability';

/** Liveness, readiness (every dependency probed with a timeout) and Prometheus metrics. */
export function registerHealthRoutes(app: FastifyInstance, checks: readonly HealthCheck[], registry: Registry): void {
  app.get('/healthz', { config: { auth: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const report = await runHealthChecks(checks);
    return reply.status(report.status === 'ok' ? 200 : 503).send(report);
  });

  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
