import type { StatusMapping } from '@tributary/contracts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import type { Queryable } from './transaction.ts';

interface MappingRow {
  id: string;
  integration_id: string;
  source_status: string;
  issue_type: string | null;
  flow_step_id: string;
  active: boolean;
}

const COLUMNS = 'id, integration_id, source_status, issue_type, flow_step_id, active';

export function mappingView(row: MappingRow): StatusMapping {
  return {
    id: Number(row.id),
    integration_id: Number(row.integration_id),
    source_status: row.source_status,
    issue_type: row.issue_type,
    flow_step_id: Number(row.flow_step_id),
    active: row.active,
  };
}

export async function listMappings(db: Queryable, tenantId: number, stepId?: number): Promise<StatusMapping[]> {
  const { rows } = await db.query<MappingRow>(
    `select ${COLUMNS} from status_mappings where tenant_id = $1 and ($2::bigint is null or flow_step_id = $2)
     order by integration_id, lower(source_status), issue_type nulls first, id`,
    [tenantId, stepId ?? null],
  );
  return rows.map(mappingView);
}

export interface MappingInput {
  integration_id: number;
  source_status: string;
  issue_type: string | null;
  flow_step_id: number;
  active: boolean;
}

/** The step must be the tenant's and active; the integration must be the tenant's Jira integration. */
async function checkReferences(db: Queryable, tenantId: number, input: MappingInput): Promise<void> {
  const { rows: steps } = await db.query<{ active: boolean }>(`select active from flow_steps where tenant_id = $1 and id = $2`, [
    tenantId,
    input.flow_step_id,
  ]);
  if (!steps[0]) throw new ValidationError(`flow step ${input.flow_step_id} does not exist`, [{ path: 'flow_step_id', message: 'no such step' }]);
  if (!steps[0].active) {
    throw new ValidationError(`flow step ${input.flow_step_id} is inactive; a mapping must point at an active step`, [
      { path: 'flow_step_id', message: 'the step is inactive' },
    ]);
  }
  const { rows: integrations } = await db.query<{ type: string }>(
    `select type from integrations where tenant_id = $1 and id = $2 and deleted_at is null`,
    [tenantId, input.integration_id],
  );
  if (!integrations[0]) {
    throw new ValidationError(`integration ${input.integration_id} does not exist`, [{ path: 'integration_id', message: 'no such integration' }]);
  }
  if (integrations[0].type !== 'jira') {
    throw new ValidationError(`integration ${input.integration_id} is not a Jira integration`, [
      { path: 'integration_id', message: 'statuses come from Jira integrations' },
    ]);
  }
}

function translateUnique(error: unknown, input: MappingInput): never {
  if (isUniqueViolation(error, 'status_mappings_key')) {
    const scope = input.issue_type === null ? 'every issue type' : `issue type "${input.issue_type}"`;
    throw new ConflictError(
      `status "${input.source_status}" of integration ${input.integration_id} is already mapped for ${scope} (statuses match ignoring case)`,
    );
  }
  throw error;
}

export async function createMapping(db: Queryable, tenantId: number, input: MappingInput): Promise<StatusMapping> {
  await checkReferences(db, tenantId, input);
  try {
    const { rows } = await db.query<MappingRow>(
      `insert into status_mappings (tenant_id, integration_id, source_status, issue_type, flow_step_id, active)
       values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
      [tenantId, input.integration_id, input.source_status, input.issue_type, input.flow_step_id, input.active],
    );
    return mappingView(rows[0]!);
  } catch (error) {
    translateUnique(error, input);
  }
}

export async function findMapping(db: Queryable, tenantId: number, id: number): Promise<StatusMapping | null> {
  const { rows } = await db.query<MappingRow>(`select ${COLUMNS} from status_mappings where tenant_id = $1 and id = $2`, [tenantId, id]);
  return rows[0] ? mappingView(rows[0]) : null;
}

export async function updateMapping(
  db: Queryable,
  tenantId: number,
  id: number,
  patch: Partial<Omit<MappingInput, 'integration_id'>>,
): Promise<StatusMapping> {
  const current = await findMapping(db, tenantId, id);
  if (!current) throw new NotFoundError(`status mapping ${id}`);
  const next: MappingInput = {
    integration_id: current.integration_id,
    source_status: patch.source_status ?? current.source_status,
    issue_type: patch.issue_type === undefined ? current.issue_type : patch.issue_type,
    flow_step_id: patch.flow_step_id ?? current.flow_step_id,
    active: patch.active ?? current.active,
  };
  if (next.active) await checkReferences(db, tenantId, next);
  try {
    const { rows } = await db.query<MappingRow>(
      `update status_mappings set source_status = $3, issue_type = $4, flow_step_id = $5, active = $6
       where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
      [tenantId, id, next.source_status, next.issue_type, next.flow_step_id, next.active],
    );
    return mappingView(rows[0]!);
  } catch (error) {
    translateUnique(error, next);
  }
}

export async function deleteMapping(db: Queryable, tenantId: number, id: number): Promise<boolean> {
  const { rowCount } = await db.query(`delete from status_mappings where tenant_id = $1 and id = $2`, [tenantId, id]);
  return (rowCount ?? 0) > 0;
}
