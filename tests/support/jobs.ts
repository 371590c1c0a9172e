import type pg from 'pg';

/**
 * A RUNNING job of the integration, as if an extractor had claimed it (status RUNNING, started,
 * heartbeat now; extraction not finished, so the job never finishes by itself). Service-token raw
 * writes must name such a job (`job_id`, security finding 5); tests that store raw rows without a
 * run of their own use one of these. Written straight to the database: the proper way (trigger a
 * run, claim it) needs an enabled integration and publishes an extract message nobody should act on.
 */
export async function insertRunningJob(
  pool: pg.Pool,
  tenantId: number,
  integrationId: number,
  streams: readonly string[] = ['issues'],
): Promise<number> {
  const { rows } = await pool.query<{ id: string | number }>(
    `insert into etl_jobs (tenant_id, integration_id, status, streams, started_at, heartbeat_at)
     values ($1, $2, 'RUNNING', $3::jsonb, now(), now()) returning id`,
    [tenantId, integrationId, JSON.stringify(streams)],
  );
  return Number(rows[0]!.id);
}

/**
 * Ends a job as a finished run would (extraction finished, FINISHED), freeing the integration's
 * one active-job slot (`etl_jobs_one_active_per_integration`) for the next run or test job.
 */
export async function finishJob(pool: pg.Pool, jobId: number): Promise<void> {
  await pool.query(
    `update etl_jobs set status = 'FINISHED', extraction_finished_at = coalesce(extraction_finished_at, now()),
       finished_at = now(), updated_at = now() where id = $1`,
    [jobId],
  );
}
