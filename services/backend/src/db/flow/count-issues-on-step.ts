import type pg from 'pg';
import {
  ACTIVE_MAPS_CTE,
  ISSUE_IS_ACTIVE,
  resolveStepJoins,
  resolvedStepId,
} from '../../flow/effective-step.ts';

/** How many of the tenant's active Jira issues currently resolve to the step. */
export async function countIssuesOnStep(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  stepId: number,
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with ${ACTIVE_MAPS_CTE}
     select count(*)::int as n
     from jira_issues i
     ${resolveStepJoins('cur', 'i.integration_id', 'i.status_name', 'i.issue_type')}
     where i.tenant_id = $1 and ${resolvedStepId('cur')} = $2 and ${ISSUE_IS_ACTIVE}`,
    [tenantId, stepId],
  );
  return rows[0]?.n ?? 0;
}
