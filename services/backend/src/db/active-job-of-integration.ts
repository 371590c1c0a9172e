import type pg from 'pg';

/** The integration's active job (PENDING, RUNNING or PAUSED; the database allows at most one), if any. */
export async function activeJobOfIntegration(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  integrationId: number,
): Promise<{ id: number; status: string } | undefined> {
  const { rows } = await db.query<{ id: number; status: string }>(
    `select id, status from etl_jobs
     where integration_id = $1 and tenant_id = $2 and status in ('PENDING', 'RUNNING', 'PAUSED')`,
    [integrationId, tenantId],
  );
  return rows[0];
}
