import type pg from 'pg';
import { FLOW_STEP_COLUMNS, type FlowStepRow } from './flow-step-row.ts';

/** The tenant's flow steps in flow order. */
export async function listFlowSteps(db: pg.Pool | pg.PoolClient, tenantId: number): Promise<FlowStepRow[]> {
  const { rows } = await db.query<FlowStepRow>(
    `select ${FLOW_STEP_COLUMNS} from flow_steps where tenant_id = $1 order by position, id`,
    [tenantId],
  );
  return rows;
}
