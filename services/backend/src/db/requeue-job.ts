import type pg from 'pg';
import { moveJob, TRANSITION_GUARD, type TransitionKey } from './job-transition.ts';
import type { JobRow } from './jobs.ts';

// → PENDING: a retry of a FAILED job (one more attempt) or a RUNNING job handed back. It starts
// over: no finish time, no cancel request, extraction not finished, no retry time pending.
const REQUEUE_JOB = `
update etl_jobs set status = 'PENDING', updated_at = now(), finished_at = null,
  attempts = attempts + case when status = 'FAILED' then 1 else 0 end,
  pause_reason = null, paused_by = null, next_retry_at = null,
  cancel_requested_at = null, extraction_finished_at = null
${TRANSITION_GUARD}`;

export function requeueJobRow(db: pg.Pool | pg.PoolClient, key: TransitionKey): Promise<JobRow | undefined> {
  return moveJob(db, REQUEUE_JOB, key);
}
