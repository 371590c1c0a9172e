import type pg from 'pg';
import { MAX_TRANSFORM_BATCH, routingKeys, type EntityType, type TransformMessage } from '@tributary/contracts';
import { withTransaction } from '@tributary/db';
import type { Publisher } from '@tributary/queue';
import type { Logger } from '@tributary/observability';

interface PendingGroup {
  tenant_id: number;
  integration_id: number;
  entity_type: EntityType;
  job_id: number | null;
  ids: number[];
}

/**
 * Every stored raw row has a `raw_outbox` row until a worker has loaded it. Rows
 * left there longer than `maxAgeSeconds` (the extractor died between store and
 * publish, or the publish was never confirmed) are published again here.
 *
 * The rows are claimed (stamped `published_at`) in one short statement that
 * commits before anything is published: nothing waits on the broker while
 * holding their locks, which the loading transaction needs. A publish that fails
 * leaves its rows stamped, so they come round again after `maxAgeSeconds`.
 * Several workers may sweep at once: SKIP LOCKED gives each its own rows, and a
 * duplicate publish is harmless (loading is idempotent).
 */
export async function sweepPendingRaw(
  pool: pg.Pool,
  publisher: Publisher,
  options: { maxAgeSeconds: number; limit?: number; publishTimeoutMs?: number },
): Promise<number> {
  const rows = await withTransaction(pool, async (client) => {
    const claimed = await client.query<PendingGroup>(
      `with stale as (
         select raw_id, tenant_id, integration_id, entity_type, job_id
         from raw_outbox
         where coalesce(published_at, created_at) < now() - make_interval(secs => $1)
         order by raw_id
         limit $2
         for update skip locked
       ), marked as (
         update raw_outbox o set published_at = now() from stale where o.raw_id = stale.raw_id
       )
       select tenant_id, integration_id, entity_type, job_id, array_agg(raw_id order by raw_id) as ids
       from stale group by tenant_id, integration_id, entity_type, job_id`,
      [options.maxAgeSeconds, options.limit ?? 50_000],
    );
    return claimed.rows;
  });
  let published = 0;
  for (const group of rows) {
    for (let i = 0; i < group.ids.length; i += MAX_TRANSFORM_BATCH) {
      const message: TransformMessage = {
        v: 1,
        tenant_id: group.tenant_id,
        integration_id: group.integration_id,
        job_id: group.job_id,
        entity_type: group.entity_type,
        raw_ids: group.ids.slice(i, i + MAX_TRANSFORM_BATCH),
      };
      await publisher.publish(routingKeys.transform(group.entity_type), message, {
        ...(options.publishTimeoutMs === undefined ? {} : { timeoutMs: options.publishTimeoutMs }),
      });
      published += message.raw_ids.length;
    }
  }
  return published;
}

/** Runs the sweep every `intervalSeconds` until stopped. */
export function startPendingSweeper(
  pool: pg.Pool,
  publisher: Publisher,
  logger: Logger,
  options: { intervalSeconds: number; maxAgeSeconds: number },
): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepPendingRaw(pool, publisher, options).then(
      (count) => count > 0 && logger.warn({ count }, 'republished transform jobs for raw rows left pending'),
      (error: unknown) => logger.warn({ err: error }, 'pending sweep failed; will try again'),
    );
  }, options.intervalSeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
