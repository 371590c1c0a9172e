import type pg from 'pg';

/** Whether the integration is the tenant's (deleted ones included: their breakers may still be open). */
export async function tenantHasIntegration(
  pool: pg.Pool,
  tenantId: number,
  integrationId: number,
): Promise<boolean> {
  const { rows } = await pool.query('select 1 from integrations where id = $1 and tenant_id = $2', [
    integrationId,
    tenantId,
  ]);
  return rows.length > 0;
}
