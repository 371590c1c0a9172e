import type pg from 'pg';

export interface LiveIntegration {
  id: number;
  type: string;
  enabled: boolean;
}

/** A live (not deleted) integration of the tenant: its type and whether it is enabled. */
export async function liveIntegration(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  integrationId: number,
): Promise<LiveIntegration | undefined> {
  const { rows } = await db.query<LiveIntegration>(
    'select id, type, enabled from integrations where id = $1 and tenant_id = $2 and deleted_at is null',
    [integrationId, tenantId],
  );
  return rows[0];
}
