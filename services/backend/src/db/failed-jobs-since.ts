import type pg from 'pg';

export interface FailedJob {
  id: number;
  attempts: number;
  integration_id: number;
  name: string;
  error: string | null;
  error_code: string | null;
}

/** The tenant's jobs that failed after `since`, with their integration's name, oldest first. */
export async function failedJobsSince(pool: pg.Pool, tenantId: number, since: Date): Promise<FailedJob[]> {
  const { rows } = await pool.query<FailedJob>(
    `select j.id, j.attempts, j.integration_id, i.name, j.error, j.error_code
     from etl_jobs j join integrations i on i.id = j.integration_id
     where j.tenant_id = $1 and j.status = 'FAILED' and j.finished_at > $2 order by j.id`,
    [tenantId, since],
  );
  return rows;
}
