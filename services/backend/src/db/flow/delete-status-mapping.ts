import type pg from 'pg';

/** False when the tenant has no such mapping. */
export async function deleteStatusMapping(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  id: number,
): Promise<boolean> {
  const { rowCount } = await db.query('delete from status_mappings where tenant_id = $1 and id = $2', [
    tenantId,
    id,
  ]);
  return (rowCount ?? 0) > 0;
}
