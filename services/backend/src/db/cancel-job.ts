import type pg from 'pg';
import { moveJob, TRANSITION_GUARD, type TransitionKey } from './job-transition.ts';
import type { JobRow } from './jobs.ts';

// → CANCELLED (terminal).
const CANCEL_JOB = `
update etl_jobs set status = 'CANCELLED', updated_at = now(), finished_at = now(),
  pause_reason = null, paused_by = null
${TRANSITION_GUARD}`;

export function cancelJobRow(db: pg.Pool | pg.PoolClient, key: TransitionKey): Promise<JobRow | undefined> {
  return moveJob(db, CANCEL_JOB, key);
}
