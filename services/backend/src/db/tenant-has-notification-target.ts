import type pg from 'pg';

/** Whether the target is the tenant's (another tenant's target is answered like a missing one). */
export async function tenantHasNotificationTarget(
  pool: pg.Pool,
  tenantId: number,
  id: number,
): Promise<boolean> {
  const { rows } = await pool.query('select 1 from notification_targets where id = $1 and tenant_id = $2', [
    id,
    tenantId,
  ]);
  return rows.length > 0;
}
