import type pg from 'pg';
import type { Source } from '@tributary/contracts';
import { JOB_TABLE_COLUMNS, type JobRow } from './jobs.ts';

// PENDING jobs untouched for `staleSeconds`, touched again (so the next tick does not take them
// too) and returned with their source, for their extract message to be published again. A PENDING
// job has transformed nothing, so its row's own counts are its counts.
const TOUCH_STALE_PENDING_JOBS = `
update etl_jobs j set updated_at = now() from integrations i
where i.id = j.integration_id and j.status = 'PENDING' and j.updated_at < now() - make_interval(secs => $1)
returning ${JOB_TABLE_COLUMNS.split(',')
  .map((c) => `j.${c.trim()}`)
  .join(', ')}, i.type`;

export async function touchStalePendingJobs(
  pool: pg.Pool,
  staleSeconds: number,
): Promise<(JobRow & { type: Source })[]> {
  const { rows } = await pool.query<JobRow & { type: Source }>(TOUCH_STALE_PENDING_JOBS, [staleSeconds]);
  return rows;
}
