import type pg from 'pg';
import type { FlowStep } from '@tributary/contracts';
import { FLOW_STEP_COLUMNS, type FlowStepRow } from './flow-step-row.ts';

// Without a position the step goes last.
const INSERT_FLOW_STEP = `
insert into flow_steps (tenant_id, name, position, category, kind, active)
values ($1, $2, coalesce($3, (select coalesce(max(position) + 1, 0) from flow_steps where tenant_id = $1)), $4, $5, $6)
returning ${FLOW_STEP_COLUMNS}`;

export async function insertFlowStep(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  step: {
    name: string;
    position: number | null;
    category: FlowStep['category'];
    kind: FlowStep['kind'];
    active: boolean;
  },
): Promise<FlowStepRow> {
  const { rows } = await db.query<FlowStepRow>(INSERT_FLOW_STEP, [
    tenantId,
    step.name,
    step.position,
    step.category,
    step.kind,
    step.active,
  ]);
  return rows[0]!;
}
