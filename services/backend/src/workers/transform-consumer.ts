import type pg from 'pg';
import { transformMessageSchema, type TransformMessage } from '@tributary/contracts';
import { consume, PermanentError, type Consumer, type Publisher, type QueueConnection } from '@tributary/queue';
import type { Logger } from '@tributary/observability';
import { finishJobIfDone } from '../jobs/job-state.ts';
import { loadTransformBatch } from './load-transform-batch.ts';

export interface TransformConsumerOptions {
  connection: QueueConnection;
  publisher: Publisher;
  pool: pg.Pool;
  logger: Logger;
  /** Messages handled at once by this process (also the prefetch). */
  concurrency: number;
  maxAttempts: number;
  onBatch?: (outcome: { loaded: number; failed: number; skipped: number }) => void;
  /** Wraps each message's database work (the worker's database breaker); default: runs it as is. */
  guard?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** How a transform message is handled; exported so tests and benchmarks drive the same code. */
export async function handleTransformMessage(pool: pg.Pool, message: TransformMessage, logger: Logger) {
  const outcome = await loadTransformBatch(pool, message);
  for (const jobId of outcome.jobIds) {
    if (await finishJobIfDone(pool, message.tenant_id, jobId)) logger.info({ jobId }, 'job finished');
  }
  if (outcome.failed.length > 0) {
    // The good records are committed; the message goes to the dead-letter archive
    // so the bad ones can be replayed once fixed (completed ones are skipped then).
    const sample = outcome.failed
      .slice(0, 3)
      .map((f) => `raw ${f.rawId} (${f.externalId}): ${f.error}`)
      .join('; ');
    throw new PermanentError(
      `${outcome.failed.length} of ${message.raw_ids.length} ${message.entity_type} records could not be transformed: ${sample}`,
    );
  }
  return outcome;
}

/** Consumes `etl.transform`: validated messages, one transaction each, retries and dead letters by the queue package. */
export async function startTransformConsumer(options: TransformConsumerOptions): Promise<Consumer<TransformMessage>> {
  const { pool, logger } = options;
  return consume<TransformMessage>({
    connection: options.connection,
    publisher: options.publisher,
    queue: options.connection.names.transform,
    schema: transformMessageSchema,
    prefetch: options.concurrency,
    maxAttempts: options.maxAttempts,
    logger,
    handler: async (message, context) => {
      const log = logger.child({
        jobId: message.job_id,
        tenantId: message.tenant_id,
        correlationId: context.correlationId,
        messageId: context.messageId,
      });
      const work = () => handleTransformMessage(pool, message, log);
      const outcome = await (options.guard ? options.guard(work) : work());
      options.onBatch?.({ loaded: outcome.loaded, failed: 0, skipped: outcome.skipped });
      log.debug({ entityType: message.entity_type, ...outcome }, 'transform batch loaded');
    },
  });
}
