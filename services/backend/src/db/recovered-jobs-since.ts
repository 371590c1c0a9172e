import type pg from 'pg';

export interface RecoveredJob {
  id: number;
  integration_id: number;
  name: string;
}

/**
 * The tenant's jobs that finished after `since` and recovered: after their own earlier failed
 * attempt, or after the integration's last ended job failed. Oldest first.
 */
export async function recoveredJobsSince(
  pool: pg.Pool,
  tenantId: number,
  since: Date,
): Promise<RecoveredJob[]> {
  const { rows } = await pool.query<RecoveredJob>(
    `select j.id, j.integration_id, i.name
     from etl_jobs j join integrations i on i.id = j.integration_id
     where j.tenant_id = $1 and j.status = 'FINISHED' and j.finished_at > $2
       and ((j.attempts > 0 and j.error is not null)
            or (select p.status from etl_jobs p
                where p.integration_id = j.integration_id and p.id <> j.id and p.finished_at < j.finished_at
                  and p.status in ('FINISHED', 'FAILED')
                order by p.finished_at desc limit 1) = 'FAILED')
     order by j.id`,
    [tenantId, since],
  );
  return rows;
}
