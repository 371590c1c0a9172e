import type pg from 'pg';
import { FLOW_STEP_COLUMNS, type FlowStepRow } from './flow-step-row.ts';

export async function findFlowStep(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  id: number,
): Promise<FlowStepRow | undefined> {
  const { rows } = await db.query<FlowStepRow>(
    `select ${FLOW_STEP_COLUMNS} from flow_steps where tenant_id = $1 and id = $2`,
    [tenantId, id],
  );
  return rows[0];
}
