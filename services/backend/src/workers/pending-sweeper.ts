import type pg from 'pg';
import type { Publisher } from '@tributary/queue';
import type { Logger } from '@tributary/observability';
import { startOutboxRelay } from '../outbox/outbox-relay.ts';

/**
 * The worker's background publisher of the outbox: it is the outbox relay (outbox/outbox-relay.ts),
 * no longer an age-based republish. `maxAgeSeconds` (SWEEPER_PENDING_AGE_SECONDS) is how long the
 * relay's own claim on rows it publishes holds. Kept under this name for the worker's entry point.
 */
export function startPendingSweeper(
  pool: pg.Pool,
  publisher: Publisher,
  logger: Logger,
  options: { intervalSeconds: number; maxAgeSeconds: number },
): { stop: () => Promise<void> } {
  return startOutboxRelay(pool, publisher, logger, {
    intervalSeconds: options.intervalSeconds,
    claimSeconds: options.maxAgeSeconds,
  });
}
