import type pg from 'pg';
import type { Publisher } from '@tributary/queue';
import type { LogSink } from '@tributary/observability';
import { claimOutboxForRelay } from '../db/claim-outbox-for-relay.ts';
import { publishOutboxRows, type PublishOutcome } from './publish-outbox.ts';
import { startPeriodic, type Periodic } from '../periodic.ts';

export interface RelayOptions {
  /** How long a relay's claim holds: a relay that dies mid-publish leaves its rows to another after this. */
  claimSeconds: number;
  /** Deadline of each publish (the claim outlives it, so no second relay takes a publish under way). */
  publishTimeoutMs?: number;
  /** Rows per pass. */
  limit?: number;
}

/**
 * One relay pass: publishes the outbox rows that never got a confirmed publish — their publisher
 * died after the commit, or the broker was down — and whose claim ran out. A row whose publish
 * was confirmed is not published again however long the queue is: the transform message is in
 * the queue and its consumer will get to it.
 */
export async function relayOutbox(
  pool: pg.Pool,
  publisher: Publisher,
  logger: LogSink,
  options: RelayOptions,
): Promise<PublishOutcome> {
  const timeoutMs = options.publishTimeoutMs ?? Math.min(15_000, (options.claimSeconds * 1000) / 2);
  const rows = await claimOutboxForRelay(pool, options.limit ?? 10_000, options.claimSeconds);
  if (rows.length === 0) return { published: 0, released: 0 };
  return publishOutboxRows(pool, publisher, rows, { timeoutMs, logger });
}

/** Runs a relay pass every `intervalSeconds` until stopped. */
export function startOutboxRelay(
  pool: pg.Pool,
  publisher: Publisher,
  logger: LogSink,
  options: RelayOptions & { intervalSeconds: number },
): Periodic {
  // A pass still waiting on a slow broker is not joined by another.
  return startPeriodic(
    { intervalSeconds: options.intervalSeconds, logger, failure: 'outbox relay pass failed; will try again' },
    async () => {
      const outcome = await relayOutbox(pool, publisher, logger, options);
      if (outcome.published > 0)
        logger.info({ ...outcome }, 'outbox relay published transform messages for unconfirmed rows');
    },
  );
}
