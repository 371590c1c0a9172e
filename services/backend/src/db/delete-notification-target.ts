import type pg from 'pg';

/** Deletes the tenant's target; false when there is none of that id for the tenant. */
export async function deleteNotificationTarget(
  pool: pg.Pool,
  tenantId: number,
  id: number,
): Promise<boolean> {
  const { rowCount } = await pool.query('delete from notification_targets where id = $1 and tenant_id = $2', [
    id,
    tenantId,
  ]);
  return rowCount !== null && rowCount > 0;
}
