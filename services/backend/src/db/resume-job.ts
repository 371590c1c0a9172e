import type pg from 'pg';
import { moveJob, TRANSITION_GUARD, type TransitionKey } from './job-transition.ts';
import type { JobRow } from './jobs.ts';

// PAUSED → RUNNING by a person. A resumed job has no extractor yet: clearing the heartbeat lets
// the next extractor claim it at once instead of waiting for the old one's beat to go stale.
const RESUME_JOB = `
update etl_jobs set status = 'RUNNING', updated_at = now(), started_at = coalesce(started_at, now()),
  finished_at = null, pause_reason = null, paused_by = null, heartbeat_at = null
${TRANSITION_GUARD}`;

export function resumeJobRow(db: pg.Pool | pg.PoolClient, key: TransitionKey): Promise<JobRow | undefined> {
  return moveJob(db, RESUME_JOB, key);
}
