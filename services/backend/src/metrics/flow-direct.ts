import type pg from 'pg';
import { withTransaction } from '@tributary/db';
import { ACTIVE_MAPS_CTE, resolveStepJoins, resolvedStepId } from '../flow/effective-step.ts';
import { foldOnRequest, readBuildState, REBUILD } from './flow-summary.ts';
import { METRIC_TRANSACTION } from './run.ts';
import type { MetricScope } from './scope.ts';

/**
 * Runs `read` (the flow queries, which name `flow_issue_summaries` and `flow_issue_intervals`) in
 * one REPEATABLE READ snapshot over summaries that follow exactly one flow configuration:
 *
 * - the kept summaries, when the request could fold the change log and the summaries were built
 *   for the configuration this snapshot sees;
 * - otherwise (a rebuild pending after a configuration change or the migration's backfill, a
 *   change log too long to fold on a request, a background refresh running) the direct path:
 *   the same summaries computed in this snapshot for the range's issues only, into temporary
 *   tables of the same names. Postgres resolves unqualified names in the session's temporary
 *   schema first, so `read` runs unchanged over them: one SQL for both paths, and the answer is
 *   what a rebuild from scratch would give. It costs what the metric cost before the summaries
 *   (~2 s for a year of 100k issues) instead of the 8–16 s rebuild; `onPending` kicks the rebuild.
 *
 * Why not build the new version side by side and switch: until the switch every answer would use
 * the old configuration — a person who just remapped a status would see the old numbers, and
 * the summary tables would need a version column in every key and read. The direct path is always
 * the current configuration, in one snapshot, so two versions never mix.
 */
export async function readFlow<T>(
  pool: pg.Pool,
  scope: MetricScope,
  onPending: () => void,
  read: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const folded = await foldOnRequest(pool, scope.tenantId);
  return withTransaction(pool, { ...METRIC_TRANSACTION, isolation: 'repeatable read' }, async (client) => {
    const state = await readBuildState(client, scope.tenantId);
    if (!folded || state.built !== state.version) {
      onPending();
      await computeDirect(client, scope);
    }
    return read(client);
  });
}

/**
 * Issues a flow answer over `[from, to)` reads with their history (flow-metrics.ts SCOPED_ISSUE:
 * created before `to`, changed since `from`); the filters and deactivations are applied by the
 * flow queries themselves.
 */
const SCOPED_IDS = `select integration_id, external_id from jira_issues where tenant_id = $1 and created_at < $3 and updated_at >= $2`;

/** Issues untouched since `from` count only for WIP, by their current step (stale_wip). */
const STALE = `with ${ACTIVE_MAPS_CTE}
  insert into flow_issue_summaries (tenant_id, integration_id, issue_external_id, key, issue_type, project_key, created_at, updated_at,
                                    current_category, wip_start_days, wip_end_days, step_ids, step_hours)
  select $1, i.integration_id, i.external_id, i.key, i.issue_type, i.project_key, i.created_at, i.updated_at,
         cs.category, '{}', '{}', '{}', '{}'
  from jira_issues i
  ${resolveStepJoins('c', 'i.integration_id', 'i.status_name', 'i.issue_type')}
  join flow_steps cs on cs.id = ${resolvedStepId('c')}
  where i.tenant_id = $1 and i.updated_at < $2 and cs.category = 'in_progress'`;

async function computeDirect(client: pg.PoolClient, scope: MetricScope): Promise<void> {
  // Created before they shadow the kept tables, so `like` copies those; dropped at commit.
  await client.query(
    `create temporary table flow_issue_summaries (like flow_issue_summaries including indexes) on commit drop`,
  );
  await client.query(
    `create temporary table flow_issue_intervals (like flow_issue_intervals including indexes) on commit drop`,
  );
  const { rows } = await client.query<{ integration_id: string; external_id: string }>(SCOPED_IDS, [
    scope.tenantId,
    scope.from,
    scope.to,
  ]);
  if (rows.length > 0)
    await client.query(REBUILD, [
      scope.tenantId,
      rows.map((r) => r.integration_id),
      rows.map((r) => r.external_id),
    ]);
  await client.query(STALE, [scope.tenantId, scope.from]);
  // Without statistics the planner takes the fresh tables for empty (nested loops over 50k rows).
  await client.query(`analyze pg_temp.flow_issue_summaries, pg_temp.flow_issue_intervals`);
}
