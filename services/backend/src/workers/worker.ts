import type { TransformMessage } from '@tributary/contracts';
import { createPool } from '@tributary/db';
import { createLogger, type Logger } from '@tributary/observability';
import { connect, Publisher, queueDepth, type Consumer } from '@tributary/queue';
import { workerCount } from '@tributary/resilience';
import type { WorkerConfig } from './worker-config.ts';
import { startTransformConsumer } from './transform-consumer.ts';
import { DeadLetterDrain } from './dead-letter-drain.ts';
import { startRawRetention } from './raw-retention.ts';
import { startFlowSummaryJob } from './flow-summary-job.ts';
import { buildWorkerHttp } from './worker-http.ts';
import { startOutboxRelay } from '../outbox/outbox-relay.ts';
import { createDatabaseBreaker, throughDatabaseBreaker } from './database-breaker.ts';

export interface RunningWorker {
  /** Where its health and metrics answer. */
  url: string;
  /** Current number of transform batches handled at once. */
  concurrency: () => number;
  stop: () => Promise<void>;
}

/**
 * The backend worker process: transform consumer sized from queue depth, the
 * dead-letter drain, the outbox relay and raw retention. `stop()` stops taking
 * messages, lets in-flight ones finish (unfinished ones return to the queue),
 * then closes the broker connection and the pool.
 */
export async function startWorker(
  config: WorkerConfig,
  logger: Logger = createLogger('worker'),
): Promise<RunningWorker> {
  for (const deprecation of config.deprecations) logger.warn(deprecation);
  const pool = createPool(config.DATABASE_URL, {
    max: config.DB_POOL_MAX,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    applicationName: 'tributary-worker',
  });
  const connection = await connect({
    url: config.AMQP_URL,
    prefix: config.QUEUE_PREFIX,
    retryTiers: config.retryTiers,
    logger,
    name: 'tributary-worker',
  });
  const publisher = new Publisher(connection, { logger });

  const desiredConcurrency = async (): Promise<number> => {
    const model = await connection.ready();
    const channel = await model.createChannel();
    try {
      const depth = await queueDepth(channel, connection.names.transform);
      return workerCount({
        batches: depth,
        perBatch: config.WORKER_PER_BATCH,
        min: config.WORKER_MIN,
        max: config.WORKER_MAX,
      });
    } finally {
      await channel.close().catch(() => undefined);
    }
  };

  let concurrency = await desiredConcurrency().catch(() => config.WORKER_MIN);
  let consumer: Consumer<TransformMessage> | undefined;
  // Database down or hung: stop taking transform messages while the breaker is
  // open (messages wait in the queue, attempts untouched), take them again in
  // half-open (one probe batch decides).
  let following = Promise.resolve();
  const followBreaker = () => {
    following = following.then(async () => {
      const current = consumer;
      if (!current) return;
      if (dbBreaker.state === 'OPEN') {
        await current.pause();
        logger.warn('transform consumer paused: database unavailable');
      } else if (current.state === 'paused') {
        await current.resume();
        logger.info({ breaker: dbBreaker.state }, 'transform consumer resumed');
      }
    });
  };
  const dbBreaker = createDatabaseBreaker({
    failureThreshold: config.WORKER_DB_CB_THRESHOLD,
    openMs: config.WORKER_DB_CB_OPEN_SECONDS * 1000,
    logger,
    onStateChange: followBreaker,
  });
  const stopping = new AbortController();
  const http = buildWorkerHttp(
    logger,
    pool,
    connection,
    () => concurrency,
    () => dbBreaker.status(),
  );
  http.app.addHook('onClose', startFlowSummaryJob(pool, logger, config.FLOW_SUMMARY_INTERVAL_SECONDS).stop);
  const url = await http.app.listen({ port: config.PORT, host: config.HOST });
  const makeConsumer = (size: number) =>
    startTransformConsumer({
      connection,
      publisher,
      pool,
      logger,
      concurrency: size,
      batchMessages: config.WORKER_BATCH_MESSAGES,
      batchWaitMs: config.WORKER_BATCH_WAIT_MS,
      maxAttempts: config.TRANSFORM_MAX_ATTEMPTS,
      onBatch: (outcome) => {
        http.metrics.recordsLoaded.inc(outcome.loaded);
        http.metrics.messagesHandled.inc(outcome.messages);
        http.metrics.batchesFailed.inc(outcome.messagesFailed);
      },
      guard: (work) =>
        throughDatabaseBreaker(
          dbBreaker,
          async () => {
            const done = http.metrics.batchDuration.startTimer();
            try {
              return await work();
            } finally {
              done();
            }
          },
          stopping.signal,
        ),
    });
  consumer = await makeConsumer(concurrency);
  logger.info({ concurrency }, 'transform consumer started');

  // Re-size on queue depth: a deep queue gets more concurrent batches, an idle one fewer connections held.
  let resizing = Promise.resolve();
  const resizer = setInterval(() => {
    resizing = resizing.then(async () => {
      const wanted = await desiredConcurrency().catch(() => concurrency);
      if (wanted === concurrency) return;
      await consumer?.stop();
      consumer = await makeConsumer(wanted);
      followBreaker();
      logger.info({ from: concurrency, to: wanted }, 'transform concurrency resized');
      concurrency = wanted;
    });
  }, config.WORKER_RESIZE_SECONDS * 1000);
  resizer.unref();

  const drain = new DeadLetterDrain(connection, pool, logger);
  await drain.start();
  // Publishes outbox rows whose own relay pass (after the commit that stored them) did not.
  const relay = startOutboxRelay(pool, publisher, logger, {
    intervalSeconds: config.OUTBOX_RELAY_INTERVAL_SECONDS,
    claimSeconds: config.OUTBOX_RELAY_LEASE_SECONDS,
  });
  const retention = startRawRetention(pool, logger, {
    keepVersions: config.RAW_KEEP_VERSIONS,
    keepDays: config.RAW_KEEP_DAYS,
    batchSize: config.RAW_PRUNE_BATCH,
    intervalSeconds: config.RAW_PRUNE_INTERVAL_SECONDS,
  });

  return {
    url,
    concurrency: () => concurrency,
    stop: async () => {
      clearInterval(resizer);
      stopping.abort();
      await http.app.close();
      await resizing.catch(() => undefined);
      await following.catch(() => undefined);
      await consumer?.stop();
      dbBreaker.shutdown();
      await drain.stop();
      await relay.stop();
      await retention.stop();
      await publisher.close();
      await connection.close();
      await pool.end();
    },
  };
}
