import type { CreateFlowStepBody, FlowStep, PatchFlowStepBody } from '@tributary/contracts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import type { Queryable } from './transaction.ts';

interface StepRow {
  id: string;
  name: string;
  position: number;
  category: FlowStep['category'];
  kind: FlowStep['kind'];
  active: boolean;
}

const COLUMNS = 'id, name, position, category, kind, active';
const RANK: Record<FlowStep['category'], number> = { todo: 0, in_progress: 1, done: 2 };

export function stepView(row: StepRow): FlowStep {
  return { id: Number(row.id), name: row.name, position: row.position, category: row.category, kind: row.kind, active: row.active };
}

export async function listSteps(db: Queryable, tenantId: number): Promise<FlowStep[]> {
  const { rows } = await db.query<StepRow>(`select ${COLUMNS} from flow_steps where tenant_id = $1 order by position, id`, [tenantId]);
  return rows.map(stepView);
}

export async function findStep(db: Queryable, tenantId: number, id: number): Promise<FlowStep | null> {
  const { rows } = await db.query<StepRow>(`select ${COLUMNS} from flow_steps where tenant_id = $1 and id = $2`, [tenantId, id]);
  return rows[0] ? stepView(rows[0]) : null;
}

/** The kind a step of `category` gets: in_progress needs one (default active), the others have none. */
function kindFor(category: FlowStep['category'], kind: FlowStep['kind'] | undefined): FlowStep['kind'] {
  if (category === 'in_progress') return kind ?? 'active';
  if (kind) throw new ValidationError(`kind is only for in_progress steps, not ${category}`, [{ path: 'kind', message: `a ${category} step has no kind` }]);
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
      throw new ValidationError(message, [{ path: 'position', message: `step "${step.name}" is out of order` }]);
    }
    if (!highest || RANK[step.category] > RANK[highest.category]) highest = step;
  }
}

function translateUnique(error: unknown, position: number | undefined, name: string | undefined): never {
  if (isUniqueViolation(error, 'flow_steps_position_key')) {
    throw new ValidationError(`position ${position ?? ''} is taken by another step`, [{ path: 'position', message: 'positions are unique' }]);
  }
  if (isUniqueViolation(error, 'flow_steps_name_key')) throw new ConflictError(`a step named "${name ?? ''}" exists already`);
  throw error;
}

export async function createStep(db: Queryable, tenantId: number, body: CreateFlowStepBody): Promise<FlowStep> {
  const kind = kindFor(body.category, body.kind);
  try {
    const { rows } = await db.query<StepRow>(
      `insert into flow_steps (tenant_id, name, position, category, kind, active)
       values ($1, $2, coalesce($3, (select coalesce(max(position) + 1, 0) from flow_steps where tenant_id = $1)), $4, $5, $6)
       returning ${COLUMNS}`,
      [tenantId, body.name, body.position ?? null, body.category, kind, body.active],
    );
    await assertMonotonic(db, tenantId);
    return stepView(rows[0]!);
  } catch (error) {
    translateUnique(error, body.position, body.name);
  }
}

export async function updateStep(db: Queryable, tenantId: number, id: number, body: PatchFlowStepBody): Promise<FlowStep> {
  const current = await findStep(db, tenantId, id);
  if (!current) throw new NotFoundError(`flow step ${id}`);
  const category = body.category ?? current.category;
  const kind = kindFor(category, body.kind === undefined ? (category === current.category ? current.kind : undefined) : body.kind);
  if (body.active === false) {
    // A step still carrying active mappings would silently drop those statuses from every metric.
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from status_mappings where tenant_id = $1 and flow_step_id = $2 and active`,
      [tenantId, id],
    );
    if ((rows[0]?.n ?? 0) > 0) {
      throw new ConflictError(`step ${id} has ${rows[0]?.n} active mappings; move or deactivate them before deactivating the step`);
    }
  }
  try {
    const { rows } = await db.query<StepRow>(
      `update flow_steps set name = $3, position = $4, category = $5, kind = $6, active = $7
       where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
      [tenantId, id, body.name ?? current.name, body.position ?? current.position, category, kind, body.active ?? current.active],
    );
    await assertMonotonic(db, tenantId);
    return stepView(rows[0]!);
  } catch (error) {
    translateUnique(error, body.position, body.name);
  }
}
