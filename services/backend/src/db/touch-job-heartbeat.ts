import type { Queryable } from './raw-data.ts';

/** The extractor running a job is alive (only a RUNNING job beats). */
export async function touchJobHeartbeat(db: Queryable, tenantId: number, jobId: number): Promise<void> {
  await db.query(
    `update etl_jobs set heartbeat_at = now() where id = $1 and tenant_id = $2 and status = 'RUNNING'`,
    [jobId, tenantId],
  );
}
