import type pg from 'pg';
import type { Publisher } from '@tributary/queue';
import type { LogSink } from '@tributary/observability';
import type { BackendConfig } from '../config.ts';
import type { JobRow } from '../db/jobs.ts';
import { scheduleJobRetry } from '../db/schedule-job-retry.ts';
import { dueJobRetries } from '../db/due-job-retries.ts';
import { dropJobRetry } from '../db/drop-job-retry.ts';
import { touchStalePendingJobs } from '../db/touch-stale-pending-jobs.ts';
import { requeueJob } from '../jobs/job-state.ts';
import { publishExtract } from './runs.ts';
import { AppError } from '../errors.ts';

/** Sets when a failed job is tried again (if it has attempts left); the orchestrator loop does the rest. */
export async function scheduleRetry(pool: pg.Pool, job: JobRow, config: BackendConfig): Promise<JobRow> {
  if (job.attempts + 1 >= config.JOB_MAX_ATTEMPTS) return job;
  return (await scheduleJobRetry(pool, job.id, config.JOB_RETRY_DELAY_SECONDS)) ?? job;
}

/**
 * Re-queues FAILED jobs whose retry time has come (FAILED → PENDING, attempts + 1)
 * without waiting for the next cron tick. Several backends may run this: the
 * state move is atomic, so only one of them publishes each job.
 */
export async function retryDueJobs(pool: pg.Pool, publisher: Publisher, logger: LogSink): Promise<number> {
  let retried = 0;
  for (const due of await dueJobRetries(pool)) {
    try {
      const job = await requeueJob(pool, due.tenant_id, due.id);
      await publishExtract(publisher, job, due.type);
      retried++;
      logger.info({ jobId: job.id, attempt: job.attempts }, 'failed job re-queued');
    } catch (error) {
      // Another backend took it, or a newer run holds the integration: leave it.
      if (!(error instanceof AppError && error.status === 409)) throw error;
      await dropJobRetry(pool, due.id);
    }
  }
  return retried;
}

/**
 * PENDING jobs whose extract message was lost (the broker died between the
 * insert and the confirm) are published again; a duplicate is harmless because
 * the extractor claims a job only once.
 */
export async function republishStalePending(
  pool: pg.Pool,
  publisher: Publisher,
  staleSeconds: number,
): Promise<number> {
  const rows = await touchStalePendingJobs(pool, staleSeconds);
  for (const job of rows) await publishExtract(publisher, job, job.type);
  return rows.length;
}
