import type pg from 'pg';
import { ForbiddenError } from '../errors.ts';

/**
 * The service token alone is not a master key: the extractor may read an integration's
 * credentials, or store raw rows for a job, only while that job is RUNNING (it claimed it) and
 * belongs to this tenant and this integration. A leaked service token then opens only what some
 * extractor is working on right now, and never another tenant's rows by a forged x-tenant-id.
 */
export async function assertRunningJob(
  pool: pg.Pool,
  scope: { tenantId: number; integrationId: number; jobId: number | undefined },
  statuses: readonly string[] = ['RUNNING'],
): Promise<void> {
  if (scope.jobId === undefined) {
    throw new ForbiddenError(
      'service calls for an integration must name the RUNNING job they work for (job_id)',
    );
  }
  const { rowCount } = await pool.query(
    `select 1 from etl_jobs where id = $1 and tenant_id = $2 and integration_id = $3 and status = any($4)`,
    [scope.jobId, scope.tenantId, scope.integrationId, statuses],
  );
  if (rowCount !== 1) {
    throw new ForbiddenError(
      `job ${scope.jobId} is not a RUNNING job of integration ${scope.integrationId}; service access is limited to claimed jobs`,
    );
  }
}

/**
 * Every record of a raw batch written by the service must name its job (`job_id`), and every
 * distinct (integration, job) pair must be a RUNNING job of this tenant and integration — or one
 * paused a moment ago: the extractor learns of a pause at its next heartbeat and may still be
 * storing the page in hand, which must not fail the job. Without the job_id requirement a leaked
 * service token would still write raw rows into any tenant's integration by leaving it out.
 * The raw-data routes admit the service token only (tenant and admin tokens get 403 from the auth
 * rule), so every raw write passes here.
 */
export async function assertRawBatchScope(
  pool: pg.Pool,
  tenantId: number,
  records: readonly { integration_id: number; job_id?: number | null | undefined }[],
): Promise<void> {
  const jobless = records.flatMap((record, index) =>
    record.job_id === undefined || record.job_id === null
      ? [
          {
            path: `records.${index}.job_id`,
            message: 'required: service writes must name the RUNNING job they work for',
          },
        ]
      : [],
  );
  if (jobless[0]) {
    throw new ForbiddenError(
      `${jobless[0].path} is required: service writes of raw rows must name the RUNNING job they work for`,
      jobless,
    );
  }
  const pairs = new Map<string, { integrationId: number; jobId: number }>();
  for (const record of records) {
    if (record.job_id === undefined || record.job_id === null) continue;
    pairs.set(`${record.integration_id}:${record.job_id}`, {
      integrationId: record.integration_id,
      jobId: record.job_id,
    });
  }
  for (const pair of pairs.values())
    await assertRunningJob(pool, { tenantId, ...pair }, ['RUNNING', 'PAUSED']);
}
