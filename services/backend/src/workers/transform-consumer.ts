import type pg from 'pg';
import { transformMessageSchema, type TransformMessage } from '@tributary/contracts';
import {
  consumeBatch,
  PermanentError,
  type BatchItemResult,
  type Consumer,
  type Publisher,
  type QueueConnection,
} from '@tributary/queue';
import { isDatabaseUnavailable } from '@tributary/db';
import type { Logger } from '@tributary/observability';
import { finishJobIfDone } from '../jobs/job-state.ts';
import { foldJobTransformCounts } from '../db/fold-job-transform-counts.ts';
import { loadTransformBatches, type BatchOutcome } from './load-transform-batch.ts';

export interface TransformConsumerOptions {
  connection: QueueConnection;
  publisher: Publisher;
  pool: pg.Pool;
  logger: Logger;
  /** Batches handled at once by this process. */
  concurrency: number;
  /** Transform messages loaded in one transaction (the prefetch is concurrency × this). */
  batchMessages: number;
  /** How long a batch waits for more messages after its first one arrived. */
  batchWaitMs: number;
  maxAttempts: number;
  /** After each batch: messages handled (of them failed: retried or dead-lettered) and records loaded/failed/skipped. */
  onBatch?: (outcome: {
    messages: number;
    messagesFailed: number;
    loaded: number;
    failed: number;
    skipped: number;
  }) => void;
  /** Wraps each transaction's database work (the worker's database breaker); default: runs it as is. */
  guard?: <T>(work: () => Promise<T>) => Promise<T>;
}

/**
 * How transform messages are handled, one verdict per message (same order); exported so tests and
 * benchmarks drive the same code. All messages load in one transaction; when that transaction
 * fails (a record the database refuses, say), each message is loaded alone, so one bad message is
 * retried or dead-lettered without its batch-mates.
 */
export async function handleTransformMessages(
  pool: pg.Pool,
  messages: readonly TransformMessage[],
  logger: Logger,
  guard: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
): Promise<{ results: BatchItemResult[]; outcomes: (BatchOutcome | undefined)[] }> {
  let outcomes: (BatchOutcome | { error: unknown })[];
  try {
    outcomes = await guard(() => loadTransformBatches(pool, messages));
  } catch (error) {
    // An outage fails every message alike (the breaker already held them): no point in one by one.
    if (messages.length === 1 || isDatabaseUnavailable(error)) throw error;
    logger.warn(
      { err: error, messages: messages.length },
      'batch transaction failed; loading its messages one by one',
    );
    outcomes = [];
    for (const message of messages) {
      try {
        outcomes.push(...(await guard(() => loadTransformBatches(pool, [message]))));
      } catch (single) {
        outcomes.push({ error: single });
      }
    }
  }
  const finished = new Set<string>();
  for (const [index, message] of messages.entries()) {
    const outcome = outcomes[index];
    if (!outcome || 'error' in outcome) continue;
    for (const jobId of outcome.jobIds) {
      const key = `${message.tenant_id}:${jobId}`;
      if (finished.has(key)) continue;
      finished.add(key);
      await foldJobTransformCounts(pool, message.tenant_id, jobId, { wait: false });
      if (await finishJobIfDone(pool, message.tenant_id, jobId)) {
        // What a batch counted while the row was held, folded now that no page can hold it.
        await foldJobTransformCounts(pool, message.tenant_id, jobId, { wait: true });
        logger.info({ jobId }, 'job finished');
      }
    }
  }
  const results = messages.map((message, index): BatchItemResult => {
    const outcome = outcomes[index];
    if (!outcome) return { ok: false, error: new Error('no outcome for the message') };
    if ('error' in outcome) return { ok: false, error: outcome.error };
    if (outcome.failed.length === 0) return { ok: true };
    // The good records are committed; the message goes to the dead-letter archive
    // so the bad ones can be replayed once fixed (completed ones are skipped then).
    const sample = outcome.failed
      .slice(0, 3)
      .map((f) => `raw ${f.rawId} (${f.externalId}): ${f.error}`)
      .join('; ');
    return {
      ok: false,
      error: new PermanentError(
        `${outcome.failed.length} of ${message.raw_ids.length} ${message.entity_type} records could not be transformed: ${sample}`,
      ),
    };
  });
  return { results, outcomes: outcomes.map((o) => ('error' in o ? undefined : o)) };
}

/** Consumes `etl.transform`: validated messages, several per transaction; retries and dead letters by the queue package. */
export async function startTransformConsumer(
  options: TransformConsumerOptions,
): Promise<Consumer<TransformMessage>> {
  const { pool, logger } = options;
  return consumeBatch<TransformMessage>({
    connection: options.connection,
    publisher: options.publisher,
    queue: options.connection.names.transform,
    schema: transformMessageSchema,
    batchSize: options.batchMessages,
    maxWaitMs: options.batchWaitMs,
    prefetch: options.concurrency * options.batchMessages,
    maxAttempts: options.maxAttempts,
    logger,
    handler: async (items) => {
      const log = logger.child({ messages: items.map((i) => i.context.messageId) });
      let handled: Awaited<ReturnType<typeof handleTransformMessages>>;
      try {
        handled = await handleTransformMessages(
          pool,
          items.map((i) => i.message),
          log,
          options.guard,
        );
      } catch (error) {
        // Every message of the batch failed alike (retried by the queue package): still handled.
        options.onBatch?.({
          messages: items.length,
          messagesFailed: items.length,
          loaded: 0,
          failed: 0,
          skipped: 0,
        });
        throw error;
      }
      const { results, outcomes } = handled;
      const totals = { loaded: 0, failed: 0, skipped: 0 };
      for (const outcome of outcomes) {
        if (!outcome) continue;
        totals.loaded += outcome.loaded;
        totals.failed += outcome.failed.length;
        totals.skipped += outcome.skipped;
      }
      options.onBatch?.({
        messages: items.length,
        messagesFailed: results.filter((r) => !r.ok).length,
        ...totals,
      });
      log.debug({ ...totals }, 'transform batch loaded');
      return results;
    },
  });
}
