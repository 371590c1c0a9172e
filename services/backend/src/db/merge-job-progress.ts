import type { Queryable } from './raw-data.ts';

/** Merges streams' progress into the job's (a stream's entry is replaced whole); false when no such job. */
export async function mergeJobProgress(
  db: Queryable,
  tenantId: number,
  jobId: number,
  progress: Record<string, unknown>,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `update etl_jobs set progress = progress || $3::jsonb, heartbeat_at = now(), updated_at = now()
     where id = $1 and tenant_id = $2`,
    [jobId, tenantId, JSON.stringify(progress)],
  );
  return rowCount === 1;
}
