import type pg from 'pg';
import { moveJob, TRANSITION_GUARD, type TransitionKey } from './job-transition.ts';
import type { JobRow } from './jobs.ts';

// → RUNNING. The first start sets started_at; a pause's reason goes with the pause.
const START_JOB = `
update etl_jobs set status = 'RUNNING', updated_at = now(), started_at = coalesce(started_at, now()),
  finished_at = null, pause_reason = null, paused_by = null
${TRANSITION_GUARD}`;

export function startJobRow(db: pg.Pool | pg.PoolClient, key: TransitionKey): Promise<JobRow | undefined> {
  return moveJob(db, START_JOB, key);
}
