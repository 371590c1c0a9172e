import type { CreateFlowStepBody, FlowStep, PatchFlowStepBody } from '@tributary/contracts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import type { Queryable } from './transaction.ts';
import type { FlowStepRow } from '../db/flow/flow-step-row.ts';
import { listFlowSteps } from '../db/flow/list-flow-steps.ts';
import { findFlowStep } from '../db/flow/find-flow-step.ts';
import { insertFlowStep } from '../db/flow/insert-flow-step.ts';
import { updateFlowStep } from '../db/flow/update-flow-step.ts';
import { countActiveMappingsOfStep } from '../db/flow/count-active-mappings-of-step.ts';

const RANK: Record<FlowStep['category'], number> = { todo: 0, in_progress: 1, done: 2 };

export function stepView(row: FlowStepRow): FlowStep {
  return {
    id: Number(row.id),
    name: row.name,
    position: row.position,
    category: row.category,
    kind: row.kind,
    active: row.active,
  };
}

export async function listSteps(db: Queryable, tenantId: number): Promise<FlowStep[]> {
  return (await listFlowSteps(db, tenantId)).map(stepView);
}

export async function findStep(db: Queryable, tenantId: number, id: number): Promise<FlowStep | null> {
  const row = await findFlowStep(db, tenantId, id);
  return row ? stepView(row) : null;
}

/** The kind a step of `category` gets: in_progress needs one (default active), the others have none. */
function kindFor(category: FlowStep['category'], kind: FlowStep['kind'] | undefined): FlowStep['kind'] {
  if (category === 'in_progress') return kind ?? 'active';
  if (kind)
    throw new ValidationError(`kind is only for in_progress steps, not ${category}`, [
      { path: 'kind', message: `a ${category} step has no kind` },
    ]);
  return null;
}

/**
 * Every todo step before every in_progress step before every done step; anything else is a
 * circular or invalid flow. Checked after the change, inside its transaction, naming the first
 * step out of order.
 */
export async function assertMonotonic(db: Queryable, tenantId: number): Promise<void> {
  const steps = await listSteps(db, tenantId);
  let highest: FlowStep | null = null;
  for (const step of steps) {
    if (highest && RANK[step.category] < RANK[highest.category]) {
      const message =
        `step "${step.name}" (${step.category}, position ${step.position}) comes after ` +
        `${highest.category} step "${highest.name}" (position ${highest.position}): ` +
        'every todo step must come before every in_progress step, and those before every done step';
      throw new ValidationError(message, [
        { path: 'position', message: `step "${step.name}" is out of order` },
      ]);
    }
    if (!highest || RANK[step.category] > RANK[highest.category]) highest = step;
  }
}

function translateUnique(error: unknown, position: number | undefined, name: string | undefined): never {
  if (isUniqueViolation(error, 'flow_steps_position_key')) {
    throw new ValidationError(`position ${position ?? ''} is taken by another step`, [
      { path: 'position', message: 'positions are unique' },
    ]);
  }
  if (isUniqueViolation(error, 'flow_steps_name_key'))
    throw new ConflictError(`a step named "${name ?? ''}" exists already`);
  throw error;
}

export async function createStep(
  db: Queryable,
  tenantId: number,
  body: CreateFlowStepBody,
): Promise<FlowStep> {
  const kind = kindFor(body.category, body.kind);
  try {
    const created = await insertFlowStep(db, tenantId, {
      name: body.name,
      position: body.position ?? null,
      category: body.category,
      kind,
      active: body.active,
    });
    await assertMonotonic(db, tenantId);
    return stepView(created);
  } catch (error) {
    translateUnique(error, body.position, body.name);
  }
}

export async function updateStep(
  db: Queryable,
  tenantId: number,
  id: number,
  body: PatchFlowStepBody,
): Promise<FlowStep> {
  const current = await findStep(db, tenantId, id);
  if (!current) throw new NotFoundError(`flow step ${id}`);
  const category = body.category ?? current.category;
  const kind = kindFor(
    category,
    body.kind === undefined ? (category === current.category ? current.kind : undefined) : body.kind,
  );
  if (body.active === false) {
    // A step still carrying active mappings would silently drop those statuses from every metric.
    const mapped = await countActiveMappingsOfStep(db, tenantId, id);
    if (mapped > 0) {
      throw new ConflictError(
        `step ${id} has ${mapped} active mappings; move or deactivate them before deactivating the step`,
      );
    }
  }
  try {
    const updated = await updateFlowStep(db, tenantId, id, {
      name: body.name ?? current.name,
      position: body.position ?? current.position,
      category,
      kind,
      active: body.active ?? current.active,
    });
    if (!updated) throw new NotFoundError(`flow step ${id}`);
    await assertMonotonic(db, tenantId);
    return stepView(updated);
  } catch (error) {
    translateUnique(error, body.position, body.name);
  }
}
