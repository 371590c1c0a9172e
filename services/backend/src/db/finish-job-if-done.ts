import type pg from 'pg';
import { JOB_COLUMNS, type JobRow } from './jobs.ts';

// RUNNING → FINISHED only once extraction is over and no raw row of the job waits in the outbox;
// the check and the move are one statement, so of two committers racing only one finishes it.
const FINISH_JOB_IF_DONE = `
update etl_jobs set status = 'FINISHED', finished_at = now(), updated_at = now()
where id = $1 and tenant_id = $2 and status = 'RUNNING' and extraction_finished_at is not null
  and not exists (select 1 from raw_outbox where job_id = $1)
returning ${JOB_COLUMNS}`;

export async function finishJobIfDoneRow(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  jobId: number,
): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(FINISH_JOB_IF_DONE, [jobId, tenantId]);
  return rows[0];
}
