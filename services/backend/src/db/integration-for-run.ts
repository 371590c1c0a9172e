import type pg from 'pg';

export interface IntegrationForRun {
  id: number;
  type: string;
  enabled: boolean;
}

/** A live integration of the tenant, as much of it as starting a run needs. */
export async function integrationForRun(
  pool: pg.Pool,
  tenantId: number,
  integrationId: number,
): Promise<IntegrationForRun | undefined> {
  const { rows } = await pool.query<IntegrationForRun>(
    'select id, type, enabled from integrations where id = $1 and tenant_id = $2 and deleted_at is null',
    [integrationId, tenantId],
  );
  return rows[0];
}
