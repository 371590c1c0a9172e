import type pg from 'pg';
import type { FlowStep } from '@tributary/contracts';
import { FLOW_STEP_COLUMNS, type FlowStepRow } from './flow-step-row.ts';

export async function updateFlowStep(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  id: number,
  step: {
    name: string;
    position: number;
    category: FlowStep['category'];
    kind: FlowStep['kind'];
    active: boolean;
  },
): Promise<FlowStepRow | undefined> {
  const { rows } = await db.query<FlowStepRow>(
    `update flow_steps set name = $3, position = $4, category = $5, kind = $6, active = $7
     where tenant_id = $1 and id = $2 returning ${FLOW_STEP_COLUMNS}`,
    [tenantId, id, step.name, step.position, step.category, step.kind, step.active],
  );
  return rows[0];
}
