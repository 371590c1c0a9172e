import type { z } from 'zod';
import type { deleteFlowStepImpactSchema } from '@tributary/contracts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { countIssuesOnStep } from '../db/flow/count-issues-on-step.ts';
import { reassignStepMappings } from '../db/flow/reassign-step-mappings.ts';
import { deleteFlowStep } from '../db/flow/delete-flow-step.ts';
import { findStep } from './steps.ts';
import { listMappings } from './mappings.ts';
import type { Queryable } from './transaction.ts';

export type DeleteStepImpact = z.infer<typeof deleteFlowStepImpactSchema>;

/**
 * Deletes step `id`, moving its mappings onto `reassignTo`, or with `dryRun` only answers what
 * would change. Run inside one transaction (the caller's), so the move and the delete land together.
 */
export async function deleteStep(
  db: Queryable,
  tenantId: number,
  id: number,
  reassignTo: number | undefined,
  dryRun: boolean,
): Promise<DeleteStepImpact> {
  const step = await findStep(db, tenantId, id);
  if (!step) throw new NotFoundError(`flow step ${id}`);
  if (reassignTo === undefined) {
    throw new ValidationError('deleting a step needs reassign_to: the step that takes over its mappings', [
      { path: 'query.reassign_to', message: 'required' },
    ]);
  }
  if (reassignTo === id) {
    throw new ValidationError('reassign_to must be another step', [
      { path: 'query.reassign_to', message: 'is the step being deleted' },
    ]);
  }
  const target = await findStep(db, tenantId, reassignTo);
  if (!target)
    throw new ValidationError(`flow step ${reassignTo} does not exist`, [
      { path: 'query.reassign_to', message: 'no such step' },
    ]);
  if (!target.active) {
    throw new ValidationError(`flow step ${reassignTo} is inactive`, [
      { path: 'query.reassign_to', message: 'the step is inactive' },
    ]);
  }
  const mappings = await listMappings(db, tenantId, id);
  const issuesAffected = await countIssuesOnStep(db, tenantId, id);
  const impact: DeleteStepImpact = {
    dry_run: dryRun,
    step,
    reassign_to: target,
    mappings_affected: mappings.length,
    issues_affected: issuesAffected,
    mappings,
  };
  if (dryRun) return impact;
  await reassignStepMappings(db, tenantId, id, reassignTo);
  await deleteFlowStep(db, tenantId, id);
  return impact;
}
