import type pg from 'pg';
import { withTransaction } from '@tributary/db';
import { startPeriodic, type Periodic } from '../periodic.ts';
import type { Logger } from '@tributary/observability';

/** How much raw history to keep beyond each entity's latest version. */
export interface RetentionPolicy {
  /** Versions kept per entity, the latest included (1 = only the latest); 0 keeps everything. */
  keepVersions: number;
  /** Older versions younger than this many days are kept too; 0 = no age rule. */
  keepDays: number;
  /** Rows deleted per transaction: short transactions, short row locks. */
  batchSize: number;
}

// Candidates of one partition: completed rows that are not among their entity's
// newest `keepVersions` (newest = highest id, the last stored) and not younger
// than `keepDays`. Read only — no locks; the deletes below re-check.
const CANDIDATES = (partition: string) => `
select tenant_id, id from (
  select tenant_id, id, status, created_at,
         row_number() over (partition by tenant_id, integration_id, entity_type, external_id order by id desc) as version
  from ${partition}
) v
where version > $1 and status = 'completed' and ($2 = 0 or created_at < now() - make_interval(days => $2))
order by tenant_id, id
limit $3`;

// SKIP LOCKED: a row a load holds (a redelivered message) is left for the next
// pass instead of being waited for, so pruning never blocks loading. Rows still in
// the outbox (waiting to be loaded) and failed rows (a dead letter may be
// replayed) are never candidates.
const DELETE_BATCH = `
with victims as (
  select r.tenant_id, r.id from raw_extraction_data r
  join unnest($1::bigint[], $2::bigint[]) as c(tenant_id, id) on r.tenant_id = c.tenant_id and r.id = c.id
  where r.status = 'completed'
    and not exists (select 1 from raw_outbox o where o.raw_id = r.id)
  for update of r skip locked
)
delete from raw_extraction_data d using victims v where d.tenant_id = v.tenant_id and d.id = v.id`;

/** The partitions of raw_extraction_data (the table itself when it is not partitioned). */
async function partitions(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `select inhrelid::regclass::text as name from pg_inherits where inhparent = 'raw_extraction_data'::regclass order by 1`,
  );
  return rows.length > 0 ? rows.map((r) => r.name) : ['raw_extraction_data'];
}

/**
 * One retention pass: for each partition, finds the versions the policy lets go
 * and deletes them in batches of `batchSize`, each its own short transaction.
 * Returns how many rows were deleted. Several workers may prune at once: a row
 * another one deleted or holds is skipped.
 */
export async function pruneRawHistory(
  pool: pg.Pool,
  policy: RetentionPolicy,
  signal?: AbortSignal,
): Promise<number> {
  if (policy.keepVersions <= 0) return 0;
  let deleted = 0;
  for (const partition of await partitions(pool)) {
    // Bounded so one pass over a huge backlog does not hold a huge id list; the next pass goes on.
    const { rows } = await pool.query<{ tenant_id: number; id: number }>(CANDIDATES(partition), [
      policy.keepVersions,
      policy.keepDays,
      policy.batchSize * 100,
    ]);
    for (let i = 0; i < rows.length; i += policy.batchSize) {
      if (signal?.aborted) return deleted;
      const chunk = rows.slice(i, i + policy.batchSize);
      const result = await withTransaction(pool, async (client) => {
        // Never queue behind a lock long: give up this batch, the next pass retries it.
        await client.query(`set local lock_timeout = '2s'`);
        return client.query(DELETE_BATCH, [chunk.map((r) => r.tenant_id), chunk.map((r) => r.id)]);
      });
      deleted += result.rowCount ?? 0;
    }
  }
  return deleted;
}

/** Runs {@link pruneRawHistory} every `intervalSeconds` until stopped. */
export function startRawRetention(
  pool: pg.Pool,
  logger: Logger,
  policy: RetentionPolicy & { intervalSeconds: number },
): Periodic {
  if (policy.keepVersions <= 0) return { stop: async () => undefined };
  // A pass still going (a big backlog) is not joined by another one.
  return startPeriodic(
    { intervalSeconds: policy.intervalSeconds, logger, failure: 'raw retention pass failed; will try again' },
    async (signal) => {
      const count = await pruneRawHistory(pool, policy, signal);
      if (count > 0) logger.info({ count }, 'pruned old raw versions');
    },
  );
}
