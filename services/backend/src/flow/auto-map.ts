import type { FlowStep, StatusMapping } from '@tributary/contracts';
import { createMapping } from './mappings.ts';
import { createStep, listSteps } from './steps.ts';
import { listUnmapped, type UnmappedStatus } from './unmapped.ts';
import type { Queryable } from './transaction.ts';

const CATEGORY_OF: Record<string, FlowStep['category']> = {
  new: 'todo',
  indeterminate: 'in_progress',
  done: 'done',
};

/**
 * The default mapping from Jira's status categories: new → first todo step, indeterminate →
 * first in_progress step, done → first done step (active steps, by position). A tenant with no
 * steps first gets To Do / In Progress / Done. Statuses with no category stay unmapped.
 */
export async function autoMap(
  db: Queryable,
  tenantId: number,
  integrationId?: number,
): Promise<{
  created_steps: FlowStep[];
  created_mappings: StatusMapping[];
  left_unmapped: UnmappedStatus[];
}> {
  const createdSteps: FlowStep[] = [];
  let steps = await listSteps(db, tenantId);
  if (steps.length === 0) {
    createdSteps.push(
      await createStep(db, tenantId, { name: 'To Do', position: 0, category: 'todo', active: true }),
    );
    createdSteps.push(
      await createStep(db, tenantId, {
        name: 'In Progress',
        position: 1,
        category: 'in_progress',
        kind: 'active',
        active: true,
      }),
    );
    createdSteps.push(
      await createStep(db, tenantId, { name: 'Done', position: 2, category: 'done', active: true }),
    );
    steps = createdSteps;
  }
  const firstOf = (category: FlowStep['category']) => steps.find((s) => s.active && s.category === category);
  const createdMappings: StatusMapping[] = [];
  const left: UnmappedStatus[] = [];
  for (const status of await listUnmapped(db, tenantId, integrationId)) {
    const category = status.category_key ? CATEGORY_OF[status.category_key] : undefined;
    const step = category ? firstOf(category) : undefined;
    if (!step) {
      left.push(status);
      continue;
    }
    createdMappings.push(
      await createMapping(db, tenantId, {
        integration_id: status.integration_id,
        source_status: status.status,
        issue_type: null,
        flow_step_id: step.id,
        active: true,
      }),
    );
  }
  return { created_steps: createdSteps, created_mappings: createdMappings, left_unmapped: left };
}
