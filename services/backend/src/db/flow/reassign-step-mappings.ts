import type pg from 'pg';

/** Points every mapping of step `from` at step `to`. */
export async function reassignStepMappings(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  from: number,
  to: number,
): Promise<void> {
  await db.query('update status_mappings set flow_step_id = $3 where tenant_id = $1 and flow_step_id = $2', [
    tenantId,
    from,
    to,
  ]);
}
