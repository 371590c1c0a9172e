import type pg from 'pg';
import { moveJob, TRANSITION_GUARD, type TransitionKey } from './job-transition.ts';
import type { JobRow } from './jobs.ts';

// → PAUSED, saying why and by whom: a system pause resumes by itself, a user pause only by a person.
const PAUSE_JOB = `
update etl_jobs set status = 'PAUSED', updated_at = now(), finished_at = null,
  pause_reason = $4, paused_by = $5
${TRANSITION_GUARD}`;

export function pauseJobRow(
  db: pg.Pool | pg.PoolClient,
  key: TransitionKey,
  pause: { reason: string | null; by: 'user' | 'system' },
): Promise<JobRow | undefined> {
  return moveJob(db, PAUSE_JOB, key, [pause.reason, pause.by]);
}
