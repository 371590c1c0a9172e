import type pg from 'pg';
import { JOB_COLUMNS, type JobRow } from './jobs.ts';

// A failed job's next try, `delaySeconds` from now; the retry orchestrator requeues it then.
const SCHEDULE_JOB_RETRY = `
update etl_jobs set next_retry_at = now() + make_interval(secs => $2) where id = $1
returning ${JOB_COLUMNS}`;

export async function scheduleJobRetry(
  pool: pg.Pool,
  jobId: number,
  delaySeconds: number,
): Promise<JobRow | undefined> {
  const { rows } = await pool.query<JobRow>(SCHEDULE_JOB_RETRY, [jobId, delaySeconds]);
  return rows[0];
}
