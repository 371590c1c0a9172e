import type pg from 'pg';

/**
 * Asks the extractor working on a RUNNING job to stop (it checks before its next request and
 * ends the job itself). False when the job is no longer running.
 */
export async function requestJobCancel(pool: pg.Pool, tenantId: number, jobId: number): Promise<boolean> {
  const { rows } = await pool.query<{ id: number }>(
    `update etl_jobs set cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
     where id = $1 and tenant_id = $2 and status = 'RUNNING' returning id`,
    [jobId, tenantId],
  );
  return rows.length > 0;
}
