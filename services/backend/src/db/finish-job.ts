import type pg from 'pg';
import { moveJob, TRANSITION_GUARD, type TransitionKey } from './job-transition.ts';
import type { JobRow } from './jobs.ts';

// → FINISHED (terminal), unconditionally; finish-job-if-done.ts is the guarded form the pipeline uses.
const FINISH_JOB = `
update etl_jobs set status = 'FINISHED', updated_at = now(), finished_at = now(),
  pause_reason = null, paused_by = null
${TRANSITION_GUARD}`;

export function finishJobRow(db: pg.Pool | pg.PoolClient, key: TransitionKey): Promise<JobRow | undefined> {
  return moveJob(db, FINISH_JOB, key);
}
