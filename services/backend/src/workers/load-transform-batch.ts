import type pg from 'pg';
import type { EntityType, TransformMessage } from '@tributary/contracts';
import { withTransaction } from '@tributary/db';
import { transformerFor, UPDATED_AT_COLUMN } from './transformers/index.ts';
import { TransformError, type NormalizedTable } from './transformers/types.ts';
import { upsertStatement, type RowToLoad } from './upsert-normalized.ts';
import { projectRaw } from './raw-projections.ts';
import { restoreNul } from '../raw/raw-record-checks.ts';

export interface RecordFailure {
  rawId: number;
  externalId: string;
  error: string;
}

export interface BatchOutcome {
  loaded: number;
  /** Raw ids of the message not loaded now: already completed (a redelivery), or gone. */
  skipped: number;
  failed: RecordFailure[];
  jobIds: number[];
}

/** The steps of a batch, for the transform/load benchmark's breakdown. */
export type LoadStep = 'claim' | 'transform' | 'settle' | 'commit';

interface ClaimedRow {
  id: number;
  job_id: number | null;
  external_id: string;
  /** Failed before (its error is still set): on success it moves from the job's failed count to its transformed count. */
  was_failed: boolean;
  extraction_metadata: Record<string, unknown>;
  /** The record's JSON text, parsed only when its turn to be transformed comes (see `claim`). */
  raw_data: string;
}

interface Group {
  tenantId: number;
  integrationId: number;
  entityType: EntityType;
  /** Raw id → index of the first message of the batch that names it. */
  owner: Map<number, number>;
  /** Indexes of the group's messages. */
  members: number[];
}

/** Loads one transform message in one transaction (see {@link loadTransformBatches}). */
export async function loadTransformBatch(pool: pg.Pool, message: TransformMessage): Promise<BatchOutcome> {
  const [outcome] = await loadTransformBatches(pool, [message]);
  if (!outcome) throw new Error('no outcome for the message');
  return outcome;
}

/**
 * Loads several transform messages in one transaction, one outcome per message
 * (same order). Per tenant × integration × entity type, two statements:
 * the claim marks the raw rows completed and returns them; after transforming
 * (each record cut to the JSON paths its transformer reads), one statement upserts the normalized
 * rows, turns records that failed into `failed` with their reason (a bad record
 * fails alone, not its batch), deletes the outbox rows of every settled raw id
 * and counts progress on the jobs. Rows already completed are not claimed,
 * which makes a redelivered message a no-op.
 */
export async function loadTransformBatches(
  pool: pg.Pool,
  messages: readonly TransformMessage[],
  onStep?: (step: LoadStep, ms: number) => void,
): Promise<BatchOutcome[]> {
  const outcomes = messages.map(() => ({
    loaded: 0,
    skipped: 0,
    failed: [] as RecordFailure[],
    jobIds: new Set<number>(),
  }));
  messages.forEach((message, index) => {
    if (message.job_id !== null) outcomes[index]?.jobIds.add(message.job_id);
  });
  const timed = async <T>(step: LoadStep, work: () => Promise<T> | T): Promise<T> => {
    if (!onStep) return work();
    const start = performance.now();
    try {
      return await work();
    } finally {
      onStep(step, performance.now() - start);
    }
  };
  const commitStart = { at: 0 };
  await withTransaction(pool, async (client) => {
    for (const group of groupsOf(messages)) {
      const ids = [...group.owner.keys()].sort((a, b) => a - b);
      const claimed = await timed('claim', () => claim(client, group, ids));
      const claimedIds = new Set<number>();
      const byTable = new Map<NormalizedTable, RowToLoad[]>();
      const settled: { id: number; failed: string | null; wasFailed: boolean; jobId: number | null }[] = [];
      await timed('transform', () => {
        const transformer = transformerFor(group.entityType);
        for (const raw of claimed) {
          claimedIds.add(raw.id);
          const outcome = outcomes[group.owner.get(raw.id) ?? -1];
          if (!outcome) throw new Error(`raw row ${raw.id} claimed for no message`);
          if (raw.job_id !== null) outcome.jobIds.add(raw.job_id);
          try {
            // Transformers see exactly what the source sent (NUL included); the loader drops NUL from text columns.
            const parsed: unknown = JSON.parse(raw.raw_data);
            const record = projectRaw(
              group.entityType,
              restoreNul(parsed, raw.extraction_metadata),
              raw.extraction_metadata,
            );
            const produced = transformer.transform(record, {
              rawId: raw.id,
              externalId: raw.external_id,
              metadata: raw.extraction_metadata,
            });
            for (const row of produced) {
              const list = byTable.get(row.table);
              if (list) list.push({ ...row, rawId: raw.id });
              else byTable.set(row.table, [{ ...row, rawId: raw.id }]);
            }
            outcome.loaded++;
            settled.push({ id: raw.id, failed: null, wasFailed: raw.was_failed, jobId: raw.job_id });
          } catch (error) {
            if (!(error instanceof TransformError)) throw error;
            outcome.failed.push({ rawId: raw.id, externalId: raw.external_id, error: error.message });
            settled.push({ id: raw.id, failed: error.message, wasFailed: raw.was_failed, jobId: raw.job_id });
          }
        }
      });
      // Skipped: not claimed (already completed, or gone), or loaded for an earlier message of the batch.
      for (const index of group.members) {
        const outcome = outcomes[index];
        for (const id of new Set(messages[index]?.raw_ids)) {
          if (outcome && (!claimedIds.has(id) || group.owner.get(id) !== index)) outcome.skipped++;
        }
      }
      await timed('settle', () => settle(client, group, byTable, settled));
    }
    commitStart.at = performance.now();
  });
  onStep?.('commit', performance.now() - commitStart.at);
  return outcomes.map((o) => ({
    loaded: o.loaded,
    skipped: o.skipped,
    failed: o.failed,
    jobIds: [...o.jobIds],
  }));
}

// Sorted, so two transactions claiming overlapping ids lock them in the same order.
function groupsOf(messages: readonly TransformMessage[]): Group[] {
  const groups = new Map<string, Group>();
  messages.forEach((message, index) => {
    const key = `${message.tenant_id}\u0000${message.integration_id}\u0000${message.entity_type}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        tenantId: message.tenant_id,
        integrationId: message.integration_id,
        entityType: message.entity_type,
        owner: new Map(),
        members: [],
      };
      groups.set(key, group);
    }
    group.members.push(index);
    // An id named by two messages of the batch (a duplicate delivery) is loaded once, for the first.
    for (const id of message.raw_ids) if (!group.owner.has(id)) group.owner.set(id, index);
  });
  return [...groups.values()].sort(
    (a, b) =>
      a.tenantId - b.tenantId ||
      a.integrationId - b.integrationId ||
      a.entityType.localeCompare(b.entityType),
  );
}

/**
 * Marks the group's pending and failed raw rows completed and returns them, with only the columns
 * the load needs. The row lock of the update serialises two deliveries of the same ids: the second
 * waits, then finds the rows completed and claims none. `error` is left for `settle` (it tells a
 * record that failed before).
 */
async function claim(client: pg.PoolClient, group: Group, ids: readonly number[]): Promise<ClaimedRow[]> {
  // raw_data as text, parsed record by record while transforming: parsed all at once by the
  // driver, a batch's 2 000 records (~20 KB of small objects each) all outlived the young
  // generation and were copied into the old one, and garbage collection was most of the worker's
  // CPU; parsed one at a time, each dies young.
  const { rows } = await client.query<ClaimedRow>(
    `update raw_extraction_data set status = 'completed', processed_at = now(), attempts = attempts + 1
     where tenant_id = $1 and integration_id = $2 and entity_type = $3 and id = any($4::bigint[]) and status <> 'completed'
     returning id, job_id, external_id, error is not null as was_failed, extraction_metadata, raw_data::text as raw_data`,
    [group.tenantId, group.integrationId, group.entityType, ids],
  );
  return rows.sort((a, b) => a.id - b.id);
}

/**
 * One statement: the upserts (one per table), the raw rows that failed (status and reason) or
 * succeeded after failing (reason cleared), the outbox rows of every settled raw id, and the
 * jobs' counters. A record replayed after failing moves from the job's failed count to its
 * transformed count; one failing again is not counted twice.
 */
async function settle(
  client: pg.PoolClient,
  group: Group,
  byTable: ReadonlyMap<NormalizedTable, readonly RowToLoad[]>,
  settled: readonly { id: number; failed: string | null; wasFailed: boolean; jobId: number | null }[],
): Promise<void> {
  if (settled.length === 0) return;
  const params: unknown[] = [group.tenantId];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const parts: string[] = [];
  for (const [table, rows] of byTable) {
    if (rows.length === 0) continue;
    const statement = upsertStatement(
      group.tenantId,
      group.integrationId,
      table,
      rows,
      UPDATED_AT_COLUMN[table],
      params.length + 1,
    );
    params.push(statement.param);
    parts.push(`upsert_${table} as (${statement.sql})`);
  }
  const changed = settled.filter((s) => s.failed !== null || s.wasFailed);
  if (changed.length > 0) {
    parts.push(`raw_status as (
      update raw_extraction_data r set status = f.status, error = f.error
      from unnest(${param(changed.map((s) => s.id))}::bigint[], ${param(changed.map((s) => (s.failed === null ? 'completed' : 'failed')))}::text[], ${param(changed.map((s) => s.failed))}::text[]) as f(id, status, error)
      where r.tenant_id = $1 and r.id = f.id)`);
  }
  // Out of the outbox: loaded, or failed and archived as a dead letter (replay brings it back).
  parts.push(
    `outbox as (delete from raw_outbox where tenant_id = $1::bigint and raw_id = any(${param(settled.map((s) => s.id))}::bigint[]))`,
  );
  const perJob = new Map<number, { transformed: number; failed: number }>();
  for (const s of settled) {
    if (s.jobId === null) continue;
    const counts = perJob.get(s.jobId) ?? { transformed: 0, failed: 0 };
    if (s.failed === null) {
      counts.transformed += 1;
      if (s.wasFailed) counts.failed -= 1;
    } else if (!s.wasFailed) {
      counts.failed += 1;
    }
    perJob.set(s.jobId, counts);
  }
  if (perJob.size > 0) {
    const jobs = [...perJob];
    // Rows of their own, not an update of the job row: page transactions of a running job hold
    // that row, and waiting for it here held this batch's raw rows (etl_job_transform_counts).
    parts.push(`jobs as (
      insert into etl_job_transform_counts (tenant_id, job_id, transformed, failed)
      select $1, c.id, c.t, c.f
      from unnest(${param(jobs.map(([id]) => id))}::bigint[], ${param(jobs.map(([, c]) => c.transformed))}::int[], ${param(jobs.map(([, c]) => c.failed))}::int[]) as c(id, t, f)
      join etl_jobs j on j.id = c.id and j.tenant_id = $1)`);
  }
  await client.query(`with ${parts.join(',\n')} select 1`, params);
}
