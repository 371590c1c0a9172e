import type pg from 'pg';
import { moveJob, TRANSITION_GUARD, type TransitionKey } from './job-transition.ts';
import type { JobRow } from './jobs.ts';

// → FAILED (terminal). A reason given replaces the last one together with its code; without
// one the job keeps the error it had (a run that failed before saying why).
const FAIL_JOB = `
update etl_jobs set status = 'FAILED', updated_at = now(), finished_at = now(),
  pause_reason = null, paused_by = null,
  error = coalesce($4, error),
  error_code = case when $4::text is null then error_code else $5 end
${TRANSITION_GUARD}`;

export function failJobRow(
  db: pg.Pool | pg.PoolClient,
  key: TransitionKey,
  failure: { error: string | null; code: string | null },
): Promise<JobRow | undefined> {
  return moveJob(db, FAIL_JOB, key, [failure.error, failure.code]);
}
