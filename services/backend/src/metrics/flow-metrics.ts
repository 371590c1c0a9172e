import type { Queryable } from '../flow/transaction.ts';
import { ACTIVE_MAPS_CTE, ISSUE_IS_ACTIVE, resolveStepJoins, resolvedStepId } from '../flow/effective-step.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { aggregate, itemsPage, WEEKS_SQL } from './run.ts';
import { HOURS, scopeParams, type MetricScope } from './scope.ts';
import type { Phase } from './pr-cycle-time.ts';

/**
 * Each active issue's history as intervals in a status — created → first transition in the first
 * transition's from-status (or the current status when it never moved), then each transition's
 * to-status until the next — and the active step each status maps to (issue-type mapping first,
 * then the any-type one; unmapped: no step). Only issues changed since `from` are walked in full;
 * an issue untouched since then sits in its current status for the whole range (see STALE_WIP).
 */
const FLOW_BASE = `${PARAMS_CTE}, ${ACTIVE_MAPS_CTE},
  issues as (
    select i.tenant_id, i.integration_id, i.external_id, i.key, i.issue_type, i.created_at, i.status_name
    from jira_issues i
    where i.tenant_id = $1 and i.created_at < $3 and i.updated_at >= $2
      and ($4::bigint[] is null or i.integration_id = any($4::bigint[]))
      and ($6::text[] is null or i.project_key = any($6::text[]))
      and ${ISSUE_IS_ACTIVE}
  ),
  trans as (
    select t.integration_id, t.issue_external_id as external_id, t.from_status, t.to_status, t.transitioned_at,
           row_number() over (partition by t.integration_id, t.issue_external_id order by t.transitioned_at, t.external_id) as k
    from jira_issue_transitions t
    join issues i on i.integration_id = t.integration_id and i.external_id = t.issue_external_id
    where t.tenant_id = $1 and t.to_status is not null
  ),
  intervals as (
    select i.integration_id, i.external_id, coalesce(ft.from_status, i.status_name) as status, i.created_at as started_at,
           ft.transitioned_at as ended_at
    from issues i
    left join trans ft on ft.integration_id = i.integration_id and ft.external_id = i.external_id and ft.k = 1
    union all
    select t.integration_id, t.external_id, t.to_status, t.transitioned_at,
           lead(t.transitioned_at) over (partition by t.integration_id, t.external_id order by t.k)
    from trans t
  ),
  stepped as (
    select iv.integration_id, iv.external_id, iv.status, iv.started_at, iv.ended_at,
           st.id as step_id, st.name as step, st.category, st.kind
    from intervals iv
    join issues i on i.integration_id = iv.integration_id and i.external_id = iv.external_id
    ${resolveStepJoins('m', 'iv.integration_id', 'iv.status', 'i.issue_type')}
    left join flow_steps st on st.id = ${resolvedStepId('m')}
  ),
  ip as (
    select integration_id, external_id, min(started_at) as ip_at from stepped where category = 'in_progress' group by 1, 2
  ),
  completed as (
    select s.integration_id, s.external_id, ip.ip_at, min(s.started_at) as done_at
    from stepped s join ip on ip.integration_id = s.integration_id and ip.external_id = s.external_id
    where s.category = 'done' and s.started_at > ip.ip_at
    group by s.integration_id, s.external_id, ip.ip_at
    having min(s.started_at) >= $2 and min(s.started_at) < $3
  )`;

/** Issues reaching done in range: cycle, lead and active time, and every interval up to the done entry. */
export const FLOW_ITEMS = `with ${FLOW_BASE}
  select i.integration_id::int as integration_id, i.key, i.external_id, i.issue_type, i.created_at,
         c.ip_at as in_progress_at, c.done_at,
         ${HOURS('c.done_at - c.ip_at')} as cycle_hours,
         ${HOURS('c.done_at - i.created_at')} as lead_hours,
         coalesce((
           select sum(${HOURS('least(coalesce(s.ended_at, c.done_at), c.done_at) - greatest(s.started_at, c.ip_at)')})
           from stepped s
           where s.integration_id = c.integration_id and s.external_id = c.external_id
             and s.category = 'in_progress' and s.kind = 'active'
             and s.started_at < c.done_at and coalesce(s.ended_at, 'infinity') > c.ip_at
         ), 0)::float8 as active_hours,
         (select json_agg(json_build_object(
                   'status', s.status, 'step_id', s.step_id, 'step', s.step, 'category', s.category, 'kind', s.kind,
                   'from', s.started_at, 'to', least(coalesce(s.ended_at, c.done_at), c.done_at),
                   'hours', ${HOURS('least(coalesce(s.ended_at, c.done_at), c.done_at) - s.started_at')})
                   order by s.started_at)
          from stepped s
          where s.integration_id = c.integration_id and s.external_id = c.external_id and s.started_at < c.done_at) as intervals
  from completed c
  join issues i on i.integration_id = c.integration_id and i.external_id = c.external_id`;

/** Issues in an in_progress step at each day's end (UTC), for the days of the range. */
const WIP_SQL = `with ${FLOW_BASE},
  days as (
    select d, d + interval '1 day' as day_end
    from generate_series(date_trunc('day', $2::timestamptz at time zone 'UTC'), ($3::timestamptz at time zone 'UTC') - interval '1 microsecond', interval '1 day') d
  ),
  fresh as (
    select days.d, count(distinct (s.integration_id, s.external_id))::int as n
    from days
    join stepped s on s.category = 'in_progress'
      and s.started_at <= (days.day_end at time zone 'UTC')
      and (s.ended_at is null or s.ended_at > (days.day_end at time zone 'UTC'))
    group by days.d
  ),
  stale as (
    select count(*)::int as n
    from jira_issues i
    ${resolveStepJoins('m', 'i.integration_id', 'i.status_name', 'i.issue_type')}
    join flow_steps st on st.id = ${resolvedStepId('m')} and st.category = 'in_progress'
    where i.tenant_id = $1 and i.updated_at < $2
      and ($4::bigint[] is null or i.integration_id = any($4::bigint[]))
      and ($6::text[] is null or i.project_key = any($6::text[]))
      and ${ISSUE_IS_ACTIVE}
  )
  select to_char(days.d, 'YYYY-MM-DD') as day, (coalesce(fresh.n, 0) + (select n from stale))::int as count
  from days left join fresh on fresh.d = days.d order by days.d`;

const TIME_IN_STEP_SQL = `with ${FLOW_BASE}
  select s.step_id::int as step_id, s.step, s.category, s.kind,
         sum(${HOURS('least(coalesce(s.ended_at, c.done_at), c.done_at) - s.started_at')})::float8 as total_hours,
         count(distinct (s.integration_id, s.external_id))::int as issues
  from completed c
  join stepped s on s.integration_id = c.integration_id and s.external_id = c.external_id and s.started_at < c.done_at
  where s.step_id is not null
  group by s.step_id, s.step, s.category, s.kind
  order by min(s.step_id)`;

export interface FlowMetrics {
  count: number;
  cycle_time: Phase;
  lead_time: Phase;
  flow_efficiency: { value: number | null; count: number };
  time_in_step: Array<{ step_id: number; step: string; category: string; kind: string | null; total_hours: number; issues: number }>;
  wip: Array<{ day: string; count: number }>;
  throughput: Array<{ week: string; week_start: string; count: number }>;
}

export async function flowMetrics(db: Queryable, scope: MetricScope): Promise<FlowMetrics> {
  const params = scopeParams(scope);
  const summary = await aggregate<{
    count: number;
    cycle_median: number | null;
    cycle_p75: number | null;
    lead_median: number | null;
    lead_p75: number | null;
    active: number | null;
    cycle: number | null;
  }>(
    db,
    scope,
    `select count(*)::int as count,
            percentile_cont(0.5) within group (order by cycle_hours) as cycle_median,
            percentile_cont(0.75) within group (order by cycle_hours) as cycle_p75,
            percentile_cont(0.5) within group (order by lead_hours) as lead_median,
            percentile_cont(0.75) within group (order by lead_hours) as lead_p75,
            sum(active_hours)::float8 as active, sum(cycle_hours)::float8 as cycle
     from (${FLOW_ITEMS}) x`,
  );
  const [steps, wip, throughput] = await Promise.all([
    db.query<FlowMetrics['time_in_step'][number]>(TIME_IN_STEP_SQL, params),
    db.query<FlowMetrics['wip'][number]>(WIP_SQL, params),
    db.query<FlowMetrics['throughput'][number]>(WEEKS_SQL(FLOW_ITEMS, 'c.done_at'), params),
  ]);
  const n = summary.count;
  return {
    count: n,
    cycle_time: { median_hours: summary.cycle_median, p75_hours: summary.cycle_p75, count: n },
    lead_time: { median_hours: summary.lead_median, p75_hours: summary.lead_p75, count: n },
    flow_efficiency: { value: summary.cycle && summary.cycle > 0 ? (summary.active ?? 0) / summary.cycle : null, count: n },
    time_in_step: steps.rows,
    wip: wip.rows,
    throughput: throughput.rows,
  };
}

export const flowItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, FLOW_ITEMS, 'done_at, key', limit, offset);
