import type pg from 'pg';

// Moves what transform batches counted for a job (etl_job_transform_counts) into its row, in one
// statement: the rows deleted are exactly the rows added. Rows a batch commits meanwhile are not
// in this statement's snapshot and wait for the next fold; reads count them until then.
const FOLD_JOB_TRANSFORM_COUNTS = `
with folded as (
  delete from etl_job_transform_counts where job_id = $1 and tenant_id = $2
  returning transformed, failed
)
update etl_jobs set records_transformed = records_transformed + s.transformed,
                    records_failed = records_failed + s.failed, updated_at = now()
from (select sum(transformed) as transformed, sum(failed) as failed from folded) s
where id = $1 and tenant_id = $2 and s.transformed is not null`;

/**
 * Folds a job's batch counts into its row. Run after a batch's commit, outside its transaction:
 * it waits for the job row when a page transaction holds it, but holds nothing meanwhile.
 */
export async function foldJobTransformCounts(pool: pg.Pool, tenantId: number, jobId: number): Promise<void> {
  await pool.query(FOLD_JOB_TRANSFORM_COUNTS, [jobId, tenantId]);
}
