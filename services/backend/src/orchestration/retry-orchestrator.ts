import type pg from 'pg';
import type { Publisher } from '@tributary/queue';
import type { LogSink } from '@tributary/observability';
import type { Source } from '@tributary/contracts';
import type { BackendConfig } from '../config.ts';
import { JOB_COLUMNS, type JobRow } from '../db/jobs.ts';
import { transitionJob } from '../jobs/job-state.ts';
import { publishExtract } from './runs.ts';
import { AppError } from '../errors.ts';

/** Sets when a failed job is tried again (if it has attempts left); the orchestrator loop does the rest. */
export async function scheduleRetry(pool: pg.Pool, job: JobRow, config: BackendConfig): Promise<JobRow> {
  if (job.attempts + 1 >= config.JOB_MAX_ATTEMPTS) return job;
  const { rows } = await pool.query<JobRow>(
    `update etl_jobs set next_retry_at = now() + make_interval(secs => $2) where id = $1 returning ${JOB_COLUMNS}`,
    [job.id, config.JOB_RETRY_DELAY_SECONDS],
  );
  return rows[0] ?? job;
}

/**
 * Re-queues FAILED jobs whose retry time has come (FAILED → PENDING, attempts + 1)
 * without waiting for the next cron tick. Several backends may run this: the
 * state move is atomic, so only one of them publishes each job.
 */
export async function retryDueJobs(pool: pg.Pool, publisher: Publisher, logger: LogSink): Promise<number> {
  const { rows } = await pool.query<{ id: number; tenant_id: number; type: Source }>(
    `select j.id, j.tenant_id, i.type from etl_jobs j join integrations i on i.id = j.integration_id
     where j.status = 'FAILED' and j.next_retry_at <= now() and i.deleted_at is null
     order by j.next_retry_at limit 100`,
  );
  let retried = 0;
  for (const due of rows) {
    try {
      const job = await transitionJob(pool, due.tenant_id, due.id, 'PENDING', { nextRetryAt: null });
      await publishExtract(publisher, job, due.type);
      retried++;
      logger.info({ jobId: job.id, attempt: job.attempts }, 'failed job re-queued');
    } catch (error) {
      // Another backend took it, or a newer run holds the integration: leave it.
      if (!(error instanceof AppError && error.status === 409)) throw error;
      await pool.query('update etl_jobs set next_retry_at = null where id = $1 and status = $2', [due.id, 'FAILED']);
    }
  }
  return retried;
}

/**
 * PENDING jobs whose extract message was lost (the broker died between the
 * insert and the confirm) are published again; a duplicate is harmless because
 * the extractor claims a job only once.
 */
export async function republishStalePending(pool: pg.Pool, publisher: Publisher, staleSeconds: number): Promise<number> {
  const { rows } = await pool.query<JobRow & { type: Source }>(
    `update etl_jobs j set updated_at = now() from integrations i
     where i.id = j.integration_id and j.status = 'PENDING' and j.updated_at < now() - make_interval(secs => $1)
     returning ${JOB_COLUMNS.split(',').map((c) => `j.${c.trim()}`).join(', ')}, i.type`,
    [staleSeconds],
  );
  for (const job of rows) await publishExtract(publisher, job, job.type);
  return rows.length;
}
