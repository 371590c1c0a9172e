import type pg from 'pg';

/** Deletes the step row (its mappings must have been moved first: the foreign key refuses otherwise). */
export async function deleteFlowStep(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  id: number,
): Promise<void> {
  await db.query('delete from flow_steps where tenant_id = $1 and id = $2', [tenantId, id]);
}
