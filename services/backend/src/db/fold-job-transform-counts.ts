import type pg from 'pg';

// Moves what transform batches counted for a job (etl_job_transform_counts) into its row, in one
// statement: the rows deleted are exactly the rows added, and only once the job row is locked.
// Rows a batch commits meanwhile are not in this statement's snapshot and wait for the next fold;
// reads count them until then.
const fold = (lock: string) => `
with job as (
  select id from etl_jobs where id = $1 and tenant_id = $2 for no key update ${lock}
), folded as (
  delete from etl_job_transform_counts c using job where c.job_id = job.id
  returning c.transformed, c.failed
)
update etl_jobs j set records_transformed = records_transformed + s.transformed,
                      records_failed = records_failed + s.failed, updated_at = now()
from (select sum(transformed) as transformed, sum(failed) as failed from folded) s, job
where j.id = job.id and s.transformed is not null`;

const FOLD_UNLESS_LOCKED = fold('skip locked');
const FOLD = fold('');

/**
 * Folds a job's batch counts into its row, after a batch's commit. While the job runs, a page
 * transaction may hold the row for a while: `wait: false` then leaves the counts for a later fold
 * (they are read all the same) rather than keep a worker slot idle. `wait: true` is for a job
 * that has finished: nothing holds its row for long then.
 */
export async function foldJobTransformCounts(
  pool: pg.Pool,
  tenantId: number,
  jobId: number,
  options: { wait: boolean },
): Promise<void> {
  await pool.query(options.wait ? FOLD : FOLD_UNLESS_LOCKED, [jobId, tenantId]);
}
