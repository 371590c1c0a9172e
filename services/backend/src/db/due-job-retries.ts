import type pg from 'pg';
import type { Source } from '@tributary/contracts';

export interface DueRetry {
  id: number;
  tenant_id: number;
  type: Source;
}

// FAILED jobs whose retry time has come, of integrations still there, oldest first; a bounded
// batch per tick so one slow tick cannot grow without end.
const DUE_JOB_RETRIES = `
select j.id, j.tenant_id, i.type from etl_jobs j join integrations i on i.id = j.integration_id
where j.status = 'FAILED' and j.next_retry_at <= now() and i.deleted_at is null
order by j.next_retry_at limit 100`;

export async function dueJobRetries(pool: pg.Pool): Promise<DueRetry[]> {
  const { rows } = await pool.query<DueRetry>(DUE_JOB_RETRIES);
  return rows;
}
