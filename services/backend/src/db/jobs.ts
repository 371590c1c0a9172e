import type pg from 'pg';
import {
  JOB_PROGRESS_NON_STREAM_KEYS,
  streamProgressSchema,
  type JobStatus,
  type RunMode,
} from '@tributary/contracts';
import { ConflictError } from '../errors.ts';
import { isUniqueViolation } from './pg-errors.ts';
import { activeJobOfIntegration } from './active-job-of-integration.ts';

export interface JobRow {
  id: number;
  tenant_id: number;
  integration_id: number;
  status: JobStatus;
  mode: RunMode;
  streams: string[];
  trigger: string;
  progress: Record<string, unknown>;
  checkpoints: Record<string, { cursor: string | null; etag: string | null }>;
  records_extracted: number;
  records_transformed: number;
  records_failed: number;
  error: string | null;
  error_code: string | null;
  pause_reason: string | null;
  paused_by: 'user' | 'system' | null;
  cancel_requested_at: Date | null;
  attempts: number;
  next_retry_at: Date | null;
  heartbeat_at: Date | null;
  extraction_finished_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

/** The job row's own columns, as stored (the transform counts without what is not folded yet). */
export const JOB_TABLE_COLUMNS = `id, tenant_id, integration_id, status, mode, streams, trigger, progress, checkpoints,
  records_extracted, records_transformed, records_failed, error, error_code, pause_reason, paused_by, cancel_requested_at,
  attempts, next_retry_at, heartbeat_at, extraction_finished_at, created_at, started_at, finished_at, updated_at`;

// What transform batches counted and the worker has not folded into the row yet (table
// etl_job_transform_counts): usually nothing, a batch or two while a job runs.
const unfolded = (column: 'transformed' | 'failed') =>
  `coalesce((select sum(c.${column}) from etl_job_transform_counts c where c.job_id = etl_jobs.id), 0)::bigint`;

/** A job as read and returned (`from etl_jobs` / `returning`, unaliased): its counts exact at any moment. */
export const JOB_COLUMNS = JOB_TABLE_COLUMNS.replace(
  'records_transformed, records_failed',
  `records_transformed + ${unfolded('transformed')} as records_transformed, records_failed + ${unfolded('failed')} as records_failed`,
);

export interface NewJob {
  tenantId: number;
  integrationId: number;
  streams: readonly string[];
  mode: RunMode;
  trigger: 'manual' | 'schedule' | 'retry';
}

/** A PENDING job; the partial unique index turns a second active job into a 409. */
export async function insertJob(db: pg.Pool | pg.PoolClient, job: NewJob): Promise<JobRow> {
  try {
    const { rows } = await db.query<JobRow>(
      `insert into etl_jobs (tenant_id, integration_id, streams, mode, trigger)
       values ($1, $2, $3::jsonb, $4, $5) returning ${JOB_COLUMNS}`,
      [job.tenantId, job.integrationId, JSON.stringify(job.streams), job.mode, job.trigger],
    );
    return rows[0]!;
  } catch (error) {
    if (isUniqueViolation(error, 'etl_jobs_one_active_per_integration')) {
      const row = await activeJobOfIntegration(db, job.tenantId, job.integrationId);
      throw new ConflictError(
        row
          ? `integration ${job.integrationId} already has an active job (${row.id}, ${row.status})`
          : `integration ${job.integrationId} already has an active job`,
      );
    }
    throw error;
  }
}

export async function findJob(db: pg.Pool, tenantId: number, id: number): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    `select ${JOB_COLUMNS} from etl_jobs where id = $1 and tenant_id = $2`,
    [id, tenantId],
  );
  return rows[0];
}

export async function listJobs(
  db: pg.Pool,
  tenantId: number,
  filter: {
    status?: JobStatus | undefined;
    integrationId?: number | undefined;
    limit: number;
    beforeId?: number | undefined;
  },
): Promise<JobRow[]> {
  const { rows } = await db.query<JobRow>(
    `select ${JOB_COLUMNS} from etl_jobs
     where tenant_id = $1
       and ($2::text is null or status = $2)
       and ($3::bigint is null or integration_id = $3)
       and ($4::bigint is null or id < $4)
     order by id desc limit $5`,
    [tenantId, filter.status ?? null, filter.integrationId ?? null, filter.beforeId ?? null, filter.limit],
  );
  return rows;
}

/**
 * What the extractor read for a job, summed over its streams' entity counts (`progress`):
 * `seen` records, of which `unchanged` were already stored with the same content. A stream in an
 * older shape (no entity counts) adds nothing.
 */
export function recordsSeen(progress: Record<string, unknown>): { seen: number; unchanged: number } {
  const total = { seen: 0, unchanged: 0 };
  for (const [key, value] of Object.entries(progress ?? {})) {
    if (JOB_PROGRESS_NON_STREAM_KEYS.includes(key)) continue;
    const stream = streamProgressSchema.safeParse(value);
    if (!stream.success) continue;
    for (const entity of Object.values(stream.data.entities)) {
      total.seen += entity.seen;
      total.unchanged += entity.unchanged;
    }
  }
  return total;
}

/** The wire form of a job (snake_case, ISO times). */
export function jobView(job: JobRow) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const read = recordsSeen(job.progress);
  return {
    id: job.id,
    integration_id: job.integration_id,
    status: job.status,
    mode: job.mode,
    streams: job.streams,
    trigger: job.trigger,
    progress: job.progress,
    checkpoints: job.checkpoints,
    // Records read from the source; of them `records_extracted` were new raw rows (stored by this
    // job) and `records_unchanged` already stored with the same content (a full re-run of unchanged
    // data: all seen, 0 extracted).
    records_seen: read.seen,
    records_extracted: job.records_extracted,
    records_unchanged: read.unchanged,
    records_transformed: job.records_transformed,
    records_failed: job.records_failed,
    error: job.error,
    error_code: job.error_code,
    pause_reason: job.pause_reason,
    paused_by: job.paused_by,
    cancel_requested: job.cancel_requested_at !== null,
    attempts: job.attempts,
    next_retry_at: iso(job.next_retry_at),
    heartbeat_at: iso(job.heartbeat_at),
    extraction_finished_at: iso(job.extraction_finished_at),
    created_at: job.created_at.toISOString(),
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
    updated_at: job.updated_at.toISOString(),
  };
}
