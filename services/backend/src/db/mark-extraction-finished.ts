import type { Queryable } from './raw-data.ts';

/** The extractor has stored every page of a RUNNING job (the first time counts). */
export async function markExtractionFinished(db: Queryable, tenantId: number, jobId: number): Promise<void> {
  await db.query(
    `update etl_jobs set extraction_finished_at = coalesce(extraction_finished_at, now()), updated_at = now()
     where id = $1 and tenant_id = $2 and status = 'RUNNING'`,
    [jobId, tenantId],
  );
}
