import type pg from 'pg';

/** How many active status mappings point at the step. */
export async function countActiveMappingsOfStep(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  stepId: number,
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'select count(*)::int as n from status_mappings where tenant_id = $1 and flow_step_id = $2 and active',
    [tenantId, stepId],
  );
  return rows[0]?.n ?? 0;
}
