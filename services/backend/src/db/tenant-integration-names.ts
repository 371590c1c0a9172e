import type pg from 'pg';

export interface IntegrationName {
  id: number;
  type: string;
  name: string;
}

/** Every integration of the tenant by id and type (deleted ones included: their breakers may still be open). */
export async function tenantIntegrationNames(pool: pg.Pool, tenantId: number): Promise<IntegrationName[]> {
  const { rows } = await pool.query<IntegrationName>(
    'select id, type, name from integrations where tenant_id = $1',
    [tenantId],
  );
  return rows;
}
