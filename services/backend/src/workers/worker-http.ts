import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Counter, createMetricsRegistry, runHealthChecks, type Logger } from '@tributary/observability';
import type { QueueConnection } from '@tributary/queue';
import type { BreakerStatus } from '@tributary/resilience';

export interface WorkerMetrics {
  recordsLoaded: Counter;
  batchesFailed: Counter;
}

/** The worker's own small HTTP side: liveness, readiness (database, broker) and its metrics. */
export function buildWorkerHttp(
  logger: Logger,
  pool: pg.Pool,
  connection: QueueConnection,
  concurrency: () => number,
  databaseBreaker?: () => BreakerStatus,
): { app: FastifyInstance; metrics: WorkerMetrics } {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const app: FastifyInstance = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  const registry = createMetricsRegistry('worker');
  const metrics: WorkerMetrics = {
    recordsLoaded: new Counter({ name: 'tributary_records_loaded_total', help: 'Raw records loaded into normalized tables', registers: [registry] }),
    batchesFailed: new Counter({ name: 'tributary_transform_failures_total', help: 'Transform messages that failed', registers: [registry] }),
  };
  app.get('/healthz', async () => ({
    status: 'ok',
    concurrency: concurrency(),
    ...(databaseBreaker ? { database_breaker: databaseBreaker().state } : {}),
  }));
  app.get('/readyz', async (_request, reply) => {
    const report = await runHealthChecks([
      { name: 'database', check: () => pool.query('select 1') },
      {
        name: 'broker',
        check: async () => {
          if (!connection.isConnected) throw new Error('not connected to RabbitMQ');
        },
      },
    ]);
    return reply.status(report.status === 'ok' ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return { app, metrics };
}
