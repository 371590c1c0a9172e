import type pg from 'pg';

export interface PageJob {
  integration_id: number;
}

// Taken first in every pages transaction, so two streams of a job storing pages at once queue on
// this row instead of deadlocking on it later (both update its counters and progress). PAUSED is
// admitted as for raw writes: a pause is learnt at the next heartbeat, while a page may be in hand.
const LOCK = `
select j.integration_id from etl_jobs j
join integrations i on i.id = j.integration_id and i.tenant_id = j.tenant_id and i.deleted_at is null
where j.id = $1 and j.tenant_id = $2 and j.status in ('RUNNING', 'PAUSED')
for no key update of j`;

/** Locks a job that may store pages now; undefined when it is not RUNNING or PAUSED (or not this tenant's). */
export async function lockJobForPage(
  client: pg.PoolClient,
  tenantId: number,
  jobId: number,
): Promise<PageJob | undefined> {
  const { rows } = await client.query<PageJob>(LOCK, [jobId, tenantId]);
  return rows[0];
}
