import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pg from 'pg';
import {
  Counter,
  Histogram,
  createMetricsRegistry,
  readiness,
  quietLogController,
  registerRequestLogging,
  type Logger,
} from '@tributary/observability';
import type { QueueConnection } from '@tributary/queue';
import type { BreakerStatus } from '@tributary/resilience';
import { registerJobDurationMetrics } from '../observability/job-metrics.ts';

export interface WorkerMetrics {
  recordsLoaded: Counter;
  batchesFailed: Counter;
  messagesHandled: Counter;
  /** Wall time of one transform batch's database work (transaction included). */
  batchDuration: Histogram;
}

/** The worker's own small HTTP side: liveness, readiness (database, broker) and its metrics. */
export function buildWorkerHttp(
  logger: Logger,
  pool: pg.Pool,
  connection: QueueConnection,
  concurrency: () => number,
  databaseBreaker?: () => BreakerStatus,
): { app: FastifyInstance; metrics: WorkerMetrics } {
  const app: FastifyInstance = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- pino's Logger and Fastify's logger type differ in msgPrefix; tsc needs the assertion
    loggerInstance: logger as FastifyBaseLogger,
    logController: quietLogController(),
  });
  registerRequestLogging(app);
  const registry = createMetricsRegistry('worker');
  // Workers finish most jobs (the last batch's commit): the job they end is observed here.
  registerJobDurationMetrics(registry, pool);
  const metrics: WorkerMetrics = {
    recordsLoaded: new Counter({
      name: 'tributary_records_loaded_total',
      help: 'Raw records loaded into normalized tables',
      registers: [registry],
    }),
    batchesFailed: new Counter({
      name: 'tributary_transform_failures_total',
      help: 'Transform messages that failed',
      registers: [registry],
    }),
    // Counted per message: one batch transaction takes several (WORKER_BATCH_MESSAGES).
    messagesHandled: new Counter({
      name: 'tributary_transform_messages_total',
      help: 'Transform messages handled to a verdict (loaded, skipped, retried or dead-lettered)',
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'tributary_transform_batch_duration_seconds',
      help: 'Duration of a transform batch (load, upsert, commit)',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
  app.get('/healthz', async () => ({
    status: 'ok',
    concurrency: concurrency(),
    ...(databaseBreaker ? { database_breaker: databaseBreaker().state } : {}),
  }));
  app.get('/readyz', async (_request, reply) => {
    const report = await readiness(
      [
        { name: 'database', check: () => pool.query('select 1') },
        {
          name: 'broker',
          check: async () => {
            if (!connection.isConnected) throw new Error('not connected to RabbitMQ');
          },
        },
      ],
      (): Record<string, string> => (databaseBreaker ? { postgres: databaseBreaker().state } : {}),
    );
    return reply.status(report.ok ? 200 : 503).send(report.body);
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  return { app, metrics };
}
