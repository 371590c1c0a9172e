import type { StreamProgress } from '@tributary/contracts';
import type { Queryable } from './raw-data.ts';

/** Sets one stream's progress on its job (other streams and `refused_records` are kept). */
export async function saveStreamProgress(
  db: Queryable,
  tenantId: number,
  jobId: number,
  stream: string,
  progress: StreamProgress,
): Promise<void> {
  await db.query(
    `update etl_jobs set progress = jsonb_set(progress, array[$3::text], $4::jsonb), heartbeat_at = now(), updated_at = now()
     where id = $1 and tenant_id = $2`,
    [jobId, tenantId, stream, JSON.stringify(progress)],
  );
}
