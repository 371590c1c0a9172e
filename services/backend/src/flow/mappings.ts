import type { StatusMapping } from '@tributary/contracts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import type { Queryable } from './transaction.ts';
import type { StatusMappingRow, StatusMappingValues } from '../db/flow/status-mapping-row.ts';
import { listStatusMappings } from '../db/flow/list-status-mappings.ts';
import { findStatusMapping } from '../db/flow/find-status-mapping.ts';
import { insertStatusMapping } from '../db/flow/insert-status-mapping.ts';
import { updateStatusMapping } from '../db/flow/update-status-mapping.ts';
import { deleteStatusMapping } from '../db/flow/delete-status-mapping.ts';
import { findFlowStep } from '../db/flow/find-flow-step.ts';
import { liveIntegration } from '../db/live-integration.ts';

export function mappingView(row: StatusMappingRow): StatusMapping {
  return {
    id: Number(row.id),
    integration_id: Number(row.integration_id),
    source_status: row.source_status,
    issue_type: row.issue_type,
    flow_step_id: Number(row.flow_step_id),
    active: row.active,
  };
}

export async function listMappings(
  db: Queryable,
  tenantId: number,
  stepId?: number,
): Promise<StatusMapping[]> {
  return (await listStatusMappings(db, tenantId, stepId ?? null)).map(mappingView);
}

export type MappingInput = StatusMappingValues;

/** The step must be the tenant's and active; the integration must be the tenant's Jira integration. */
async function checkReferences(db: Queryable, tenantId: number, input: MappingInput): Promise<void> {
  const step = await findFlowStep(db, tenantId, input.flow_step_id);
  if (!step)
    throw new ValidationError(`flow step ${input.flow_step_id} does not exist`, [
      { path: 'flow_step_id', message: 'no such step' },
    ]);
  if (!step.active) {
    throw new ValidationError(
      `flow step ${input.flow_step_id} is inactive; a mapping must point at an active step`,
      [{ path: 'flow_step_id', message: 'the step is inactive' }],
    );
  }
  const integration = await liveIntegration(db, tenantId, input.integration_id);
  if (!integration) {
    throw new ValidationError(`integration ${input.integration_id} does not exist`, [
      { path: 'integration_id', message: 'no such integration' },
    ]);
  }
  if (integration.type !== 'jira') {
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

export async function createMapping(
  db: Queryable,
  tenantId: number,
  input: MappingInput,
): Promise<StatusMapping> {
  await checkReferences(db, tenantId, input);
  try {
    return mappingView(await insertStatusMapping(db, tenantId, input));
  } catch (error) {
    translateUnique(error, input);
  }
}

export async function findMapping(
  db: Queryable,
  tenantId: number,
  id: number,
): Promise<StatusMapping | null> {
  const row = await findStatusMapping(db, tenantId, id);
  return row ? mappingView(row) : null;
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
    const updated = await updateStatusMapping(db, tenantId, id, next);
    if (!updated) throw new NotFoundError(`status mapping ${id}`);
    return mappingView(updated);
  } catch (error) {
    translateUnique(error, next);
  }
}

export async function deleteMapping(db: Queryable, tenantId: number, id: number): Promise<boolean> {
  return deleteStatusMapping(db, tenantId, id);
}
