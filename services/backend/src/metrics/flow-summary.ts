import type pg from 'pg';
import { withTransaction } from '@tributary/db';
import type { Queryable } from '../flow/transaction.ts';
import { ACTIVE_MAPS_CTE, resolveStepJoins, resolvedStepId } from '../flow/effective-step.ts';
import { METRIC_TRANSACTION } from './run.ts';
import { HOURS } from './scope.ts';

/**
 * The flow summaries (migration 0010): per issue its intervals in a status with the step each maps
 * to, its first in_progress entry and first done entry after it, and the hours derived from them —
 * everything of the flow metrics that does not depend on the requested range, so a metric request
 * only aggregates. Kept on read: triggers mark the issues whose rows or transitions were written
 * (`flow_summary_changes`) and bump the tenant's configuration version when a step or mapping
 * changes (`flow_summary_state`). A request folds a short change log itself (`foldOnRequest`)
 * and never waits for a rebuild: the background (`refreshFlowSummaries`, run by the worker's
 * periodic job and kicked after a configuration change) rebuilds the whole tenant when the
 * configuration moved on and folds long change logs. Until the summaries match the configuration,
 * a request answers by the direct path (flow-direct.ts).
 */

/** UTC day number of a timestamp: WIP's day index for a range is this minus the range's first day end's. */
export const DAY = (t: string) => `ceil(extract(epoch from ${t}) / 86400)::int`;

/**
 * `$1` tenant; `$2`/`$3` the (integration, external id) pairs to rebuild, or null for every issue of
 * the tenant. Intervals as the flow metrics define them: created → first transition in its
 * from-status (or the current status when the issue never moved), then each transition's
 * to-status until the next; per issue `ip_at` = first in_progress entry and `done_at` = first done
 * entry after it, as window aggregates.
 */
export const REBUILD = `with ${ACTIVE_MAPS_CTE},
  targets as (
    select * from unnest($2::bigint[], $3::text[]) as t(integration_id, external_id)
  ),
  issues as materialized (
    select i.integration_id, i.external_id, i.key, i.issue_type, i.project_key, i.created_at, i.updated_at, i.status_name
    from jira_issues i
    where i.tenant_id = $1
      and ($2::bigint[] is null or (i.integration_id, i.external_id) in (select integration_id, external_id from targets))
  ),
  trans as materialized (
    select i.integration_id, i.external_id, i.issue_type, i.project_key, i.created_at, i.updated_at,
           t.from_status, t.to_status, t.transitioned_at as at,
           lead(t.transitioned_at) over w as next_at,
           row_number() over w as k
    from issues i
    cross join lateral (
      select tr.from_status, tr.to_status, tr.transitioned_at, tr.external_id
      from jira_issue_transitions tr
      where tr.tenant_id = $1 and tr.integration_id = i.integration_id and tr.issue_external_id = i.external_id and tr.to_status is not null
    ) t
    window w as (partition by i.integration_id, i.external_id order by t.transitioned_at, t.external_id)
  ),
  intervals as (
    select integration_id, external_id, issue_type, project_key, created_at, updated_at, k::int as seq,
           to_status as status, at as started_at, next_at as ended_at from trans
    union all
    select integration_id, external_id, issue_type, project_key, created_at, updated_at, 0, from_status, created_at, at from trans where k = 1
    union all
    select i.integration_id, i.external_id, i.issue_type, i.project_key, i.created_at, i.updated_at, 0, i.status_name, i.created_at, null
    from issues i
    where not exists (select 1 from trans t where t.integration_id = i.integration_id and t.external_id = i.external_id)
  ),
  stepped as (
    select iv.*, st.id as step_id, st.name as step, st.category, st.kind
    from intervals iv
    ${resolveStepJoins('m', 'iv.integration_id', 'iv.status', 'iv.issue_type')}
    left join flow_steps st on st.id = ${resolvedStepId('m')}
  ),
  with_ip as (
    select s.*, min(started_at) filter (where category = 'in_progress') over (partition by integration_id, external_id) as ip_at
    from stepped s
  ),
  marked as materialized (
    select x.*, least(coalesce(x.ended_at, x.done_at), x.done_at) as clip_end
    from (
      select w.*, min(started_at) filter (where category = 'done' and started_at > ip_at) over (partition by integration_id, external_id) as done_at
      from with_ip w
    ) x
  ),
  written as (
    insert into flow_issue_intervals (tenant_id, integration_id, issue_external_id, seq, status, started_at, ended_at, clip_end,
                                      step_id, step, category, kind)
    select $1, integration_id, external_id, seq, status, started_at, ended_at, clip_end, step_id, step, category, kind
    from marked
  ),
  step_hours as (
    select integration_id, external_id, array_agg(step_id order by step_id) as step_ids, array_agg(hours order by step_id) as step_hours
    from (
      select integration_id, external_id, step_id, sum(${HOURS('clip_end - started_at')}) as hours
      from marked
      where done_at is not null and started_at < done_at and step_id is not null
      group by integration_id, external_id, step_id
    ) h
    group by integration_id, external_id
  ),
  per_issue as (
    select integration_id, external_id, min(ip_at) as ip_at, min(done_at) as done_at,
           coalesce(sum(${HOURS('clip_end - greatest(started_at, ip_at)')})
             filter (where category = 'in_progress' and kind = 'active' and coalesce(ended_at, 'infinity') > ip_at and started_at < done_at), 0)::float8 as active_hours,
           coalesce(array_agg(${DAY('started_at')} order by seq) filter (where category = 'in_progress'), '{}') as wip_start_days,
           coalesce(array_agg(${DAY('ended_at')} order by seq) filter (where category = 'in_progress'), '{}') as wip_end_days
    from marked group by integration_id, external_id
  )
  insert into flow_issue_summaries (tenant_id, integration_id, issue_external_id, key, issue_type, project_key, created_at, updated_at,
                                    current_category, in_progress_at, done_at, cycle_hours, lead_hours, active_hours,
                                    wip_start_days, wip_end_days, step_ids, step_hours)
  select $1, i.integration_id, i.external_id, i.key, i.issue_type, i.project_key, i.created_at, i.updated_at,
         cs.category, p.ip_at, p.done_at,
         case when p.done_at is not null then ${HOURS('p.done_at - p.ip_at')} end,
         case when p.done_at is not null then ${HOURS('p.done_at - i.created_at')} end,
         case when p.done_at is not null then p.active_hours end,
         p.wip_start_days, p.wip_end_days, coalesce(h.step_ids, '{}'), coalesce(h.step_hours, '{}')
  from issues i
  join per_issue p on p.integration_id = i.integration_id and p.external_id = i.external_id
  left join step_hours h on h.integration_id = i.integration_id and h.external_id = i.external_id
  ${resolveStepJoins('c', 'i.integration_id', 'i.status_name', 'i.issue_type')}
  left join flow_steps cs on cs.id = ${resolvedStepId('c')}`;

/**
 * Two advisory locks per tenant. FOLD: held by whoever writes the tenant's summary rows (a fold or a
 * rebuild), so two of them never interleave. BUILD: a request holds it shared while it folds, the
 * background holds it exclusively for its (possibly long) rebuild or fold; a request that cannot
 * take it shared does not wait for the background — it answers by the direct path instead. The
 * background waits for it: two workers (or a worker and the API's kick) take turns, and the second
 * finds little or nothing left to do.
 */
const FOLD_LOCK = `select pg_advisory_xact_lock(hashtext('flow_summaries'), $1::int)`;
const TRY_BUILD_SHARED = `select pg_try_advisory_xact_lock_shared(hashtext('flow_summaries_build'), $1::int) as ok`;
const BUILD_LOCK = `select pg_advisory_xact_lock(hashtext('flow_summaries_build'), $1::int)`;

/**
 * The most a request folds itself: more change-log rows or issue ids than this and it answers by the
 * direct path and leaves the fold to the background (a sync of 100k issues marks them all).
 */
export const REQUEST_FOLD_LIMIT = { rows: 1000, issues: 5000 };

export interface FlowRefresh {
  full: boolean;
  issues: number;
}

interface BuildState {
  version: number;
  built: number | null;
}

/** The tenant's configuration version and the version its summaries were built for. */
export async function readBuildState(db: Queryable, tenantId: number): Promise<BuildState> {
  const { rows } = await db.query<{ config_version: string; built_version: string | null }>(
    `select config_version, built_version from flow_summary_state where tenant_id = $1`,
    [tenantId],
  );
  // No row yet: nothing was ever built; version 0 differs from the 1 a first configuration write sets.
  const version = rows[0] ? Number(rows[0].config_version) : 0;
  const built = rows[0]?.built_version == null ? null : Number(rows[0].built_version);
  return { version, built };
}

/**
 * The request's part: folds the tenant's marked issues into its summaries when that is short —
 * summaries built for the current configuration, a change log within {@link REQUEST_FOLD_LIMIT},
 * no background rebuild or fold running. Returns false when it did not, and the caller must then
 * answer by the direct path (flow-direct.ts); it never waits for a rebuild.
 */
export async function foldOnRequest(pool: pg.Pool, tenantId: number): Promise<boolean> {
  return withTransaction(pool, METRIC_TRANSACTION, async (client) => {
    const { rows: build } = await client.query<{ ok: boolean }>(TRY_BUILD_SHARED, [tenantId]);
    if (!build[0]?.ok) return false;
    const before = await readBuildState(client, tenantId);
    if (before.built !== before.version) return false;
    const { rows: log } = await client.query<{ rows: number; issues: number }>(
      `select count(*)::int as rows, coalesce(sum(cardinality(issue_external_ids)), 0)::int as issues
       from (select issue_external_ids from flow_summary_changes where tenant_id = $1 limit $2) x`,
      [tenantId, REQUEST_FOLD_LIMIT.rows + 1],
    );
    const size = log[0] ?? { rows: 0, issues: 0 };
    if (size.rows > REQUEST_FOLD_LIMIT.rows || size.issues > REQUEST_FOLD_LIMIT.issues) return false;
    if (size.rows === 0) return true;
    await client.query(FOLD_LOCK, [tenantId]);
    // Only folds run under FOLD while BUILD is held shared; the version may still have moved on (a
    // configuration write takes neither lock): then the rows folded here are never read (the
    // reader checks the version in its own snapshot) and the next rebuild replaces them.
    await foldChanges(client, tenantId);
    return true;
  });
}

/**
 * The background's part (the worker's periodic job, and the kick after a configuration change):
 * rebuilds the whole tenant when its configuration moved on, else folds every marked issue.
 */
export async function refreshFlowSummaries(pool: pg.Pool, tenantId: number): Promise<FlowRefresh> {
  return withTransaction(pool, METRIC_TRANSACTION, async (client) => {
    await client.query(BUILD_LOCK, [tenantId]);
    await client.query(FOLD_LOCK, [tenantId]);
    return refreshLocked(client, tenantId);
  });
}

/**
 * Each change mark is deleted by the statement that also sees its writer committed (READ COMMITTED:
 * the rebuild statement's snapshot is newer still), so a write that lands during a refresh keeps its
 * mark and is folded in by the next one. Redelivered or out-of-order loads only re-mark an issue; its
 * rows are recomputed from what is stored, so the result is the same whatever the order.
 */
async function refreshLocked(client: pg.PoolClient, tenantId: number): Promise<FlowRefresh> {
  const { version, built } = await readBuildState(client, tenantId);
  if (built !== version) {
    await client.query(`delete from flow_summary_changes where tenant_id = $1`, [tenantId]);
    await client.query(`delete from flow_issue_intervals where tenant_id = $1`, [tenantId]);
    await client.query(`delete from flow_issue_summaries where tenant_id = $1`, [tenantId]);
    // One statement, one snapshot: the rows follow one configuration, at least `version`. When a
    // configuration write committed after `version` was read, the rows are newer than the label,
    // but the tenant's version is newer still, so nobody reads them and the next rebuild runs.
    const { rowCount } = await client.query(REBUILD, [tenantId, null, null]);
    // Fresh statistics, or the metric queries are planned for empty tables (nested loops over 100k rows).
    await client.query(`analyze flow_issue_summaries, flow_issue_intervals`);
    await client.query(
      `insert into flow_summary_state (tenant_id, config_version, built_version, built_at) values ($1, $2, $2, now())
       on conflict (tenant_id) do update set built_version = $2, built_at = now()`,
      [tenantId, version],
    );
    return { full: true, issues: rowCount ?? 0 };
  }
  return { full: false, issues: await foldChanges(client, tenantId) };
}

async function foldChanges(client: pg.PoolClient, tenantId: number): Promise<number> {
  const { rows: changed } = await client.query<{ integration_id: string; issue_external_id: string }>(
    `with gone as (delete from flow_summary_changes where tenant_id = $1 returning integration_id, issue_external_ids)
     select distinct g.integration_id, x.issue_external_id from gone g cross join lateral unnest(g.issue_external_ids) x(issue_external_id)`,
    [tenantId],
  );
  if (changed.length === 0) return 0;
  const integrations = changed.map((c) => c.integration_id);
  const issues = changed.map((c) => c.issue_external_id);
  const target = `(integration_id, issue_external_id) in (select * from unnest($2::bigint[], $3::text[]))`;
  await client.query(`delete from flow_issue_intervals where tenant_id = $1 and ${target}`, [
    tenantId,
    integrations,
    issues,
  ]);
  await client.query(`delete from flow_issue_summaries where tenant_id = $1 and ${target}`, [
    tenantId,
    integrations,
    issues,
  ]);
  await client.query(REBUILD, [tenantId, integrations, issues]);
  return changed.length;
}

/** Tenants with work for the background: a configuration not yet built, or marks not yet folded. */
export async function tenantsToRefresh(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ tenant_id: string }>(
    `select tenant_id from flow_summary_state where built_version is distinct from config_version
     union select t.id from tenants t where not exists (select 1 from flow_summary_state s where s.tenant_id = t.id)
     union select distinct tenant_id from flow_summary_changes
     order by 1`,
  );
  return rows.map((r) => Number(r.tenant_id));
}
