import type pg from 'pg';
import type { JobStatus } from '@tributary/contracts';

/** A job's current status, or undefined when the tenant has no such job. */
export async function jobStatus(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  jobId: number,
): Promise<JobStatus | undefined> {
  const { rows } = await db.query<{ status: JobStatus }>(
    'select status from etl_jobs where id = $1 and tenant_id = $2',
    [jobId, tenantId],
  );
  return rows[0]?.status;
}
