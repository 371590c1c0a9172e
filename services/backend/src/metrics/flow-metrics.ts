import type { Queryable } from '../flow/transaction.ts';
import { ACTIVE_MAPS_CTE, ISSUE_IS_ACTIVE, resolveStepJoins, resolvedStepId } from '../flow/effective-step.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { aggregate, itemsPage } from './run.ts';
import { HOURS, type MetricScope } from './scope.ts';
import type { Phase } from './pr-cycle-time.ts';

/**
 * Each active issue's history as intervals in a status — created → first transition in the first
 * transition's from-status (or the current status when it never moved), then each transition's
 * to-status until the next — with the active step each status maps to (issue-type mapping first,
 * then the any-type one; unmapped: no step), and per issue its first in_progress entry (`ip_at`)
 * and the first done entry after it (`done_at`), as window aggregates so no step joins back.
 * Only issues changed since `from` are walked; one untouched since then sits in its current status
 * for the whole range (counted by `stale_wip`).
 */
const FLOW_BASE = `${PARAMS_CTE}, ${ACTIVE_MAPS_CTE},
  issues as materialized (
    select i.integration_id, i.external_id, i.key, i.issue_type, i.created_at, i.status_name
    from jira_issues i
    where i.tenant_id = $1 and i.created_at < $3 and i.updated_at >= $2
      and ($4::bigint[] is null or i.integration_id = any($4::bigint[]))
      and ($6::text[] is null or i.project_key = any($6::text[]))
      and ${ISSUE_IS_ACTIVE}
  ),
  -- A lateral index walk per issue: far fewer rows than hashing every transition of the tenant.
  trans as materialized (
    select i.integration_id, i.external_id, i.key, i.issue_type, i.created_at,
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
    select integration_id, external_id, key, issue_type, created_at, to_status as status, at as started_at, next_at as ended_at from trans
    union all
    select integration_id, external_id, key, issue_type, created_at, from_status, created_at, at from trans where k = 1
    union all
    select i.integration_id, i.external_id, i.key, i.issue_type, i.created_at, i.status_name, i.created_at, null from issues i
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
    select w.*, min(started_at) filter (where category = 'done' and started_at > ip_at) over (partition by integration_id, external_id) as done_at
    from with_ip w
  ),
  done_intervals as (
    select m.*, least(coalesce(m.ended_at, m.done_at), m.done_at) as clip_end
    from marked m where m.done_at >= $2 and m.done_at < $3 and m.started_at < m.done_at
  ),
  per_issue as (
    select integration_id, external_id, key, issue_type, created_at, ip_at, done_at,
           ${HOURS('done_at - ip_at')} as cycle_hours,
           ${HOURS('done_at - created_at')} as lead_hours,
           coalesce(sum(${HOURS('clip_end - greatest(started_at, ip_at)')})
             filter (where category = 'in_progress' and kind = 'active' and coalesce(ended_at, 'infinity') > ip_at), 0)::float8 as active_hours
    from done_intervals
    group by integration_id, external_id, key, issue_type, created_at, ip_at, done_at
  )`;

/** Issues reaching done in range: cycle, lead and active time, and every interval up to the done entry. */
export const FLOW_ITEMS = `with ${FLOW_BASE},
  issue_intervals as (
    select integration_id, external_id,
           json_agg(json_build_object(
             'status', status, 'step_id', step_id, 'step', step, 'category', category, 'kind', kind,
             'from', started_at, 'to', clip_end, 'hours', ${HOURS('clip_end - started_at')}) order by started_at) as intervals
    from done_intervals group by integration_id, external_id
  )
  select p.integration_id::int as integration_id, p.key, p.external_id, p.issue_type, p.created_at,
         p.ip_at as in_progress_at, p.done_at, p.cycle_hours, p.lead_hours, p.active_hours, v.intervals
  from per_issue p join issue_intervals v on v.integration_id = p.integration_id and v.external_id = p.external_id`;

/**
 * Everything of the flow answer in one pass over the intervals. WIP at a day's end E counts the
 * in_progress intervals with start ≤ E < end: each adds +1 from the first day whose end is ≥ its
 * start and −1 from the first whose end is ≥ its end, and a running sum over the days gives the count.
 */
const FLOW_SUMMARY = `with ${FLOW_BASE},
  days as (
    select n, d from (
      select row_number() over (order by d) - 1 as n, d
      from generate_series(date_trunc('day', $2::timestamptz at time zone 'UTC'), ($3::timestamptz at time zone 'UTC') - interval '1 microsecond', interval '1 day') d
    ) x
  ),
  first_eod as (select (min(d) + interval '1 day') at time zone 'UTC' as e0 from days),
  wip_delta as (
    select greatest(0, ceil(extract(epoch from (s.started_at - f.e0)) / 86400))::int as n, 1 as delta
    from marked s, first_eod f where s.category = 'in_progress' and s.started_at < $3::timestamptz + interval '1 day'
    union all
    select greatest(0, ceil(extract(epoch from (s.ended_at - f.e0)) / 86400))::int, -1
    from marked s, first_eod f where s.category = 'in_progress' and s.ended_at is not null and s.started_at < $3::timestamptz + interval '1 day'
  ),
  stale_wip as (
    select count(*)::int as n
    from jira_issues i
    ${resolveStepJoins('z', 'i.integration_id', 'i.status_name', 'i.issue_type')}
    join flow_steps st on st.id = ${resolvedStepId('z')} and st.category = 'in_progress'
    where i.tenant_id = $1 and i.updated_at < $2
      and ($4::bigint[] is null or i.integration_id = any($4::bigint[]))
      and ($6::text[] is null or i.project_key = any($6::text[]))
      and ${ISSUE_IS_ACTIVE}
  ),
  wip as (
    select days.d, (sum(coalesce(w.delta, 0)) over (order by days.n) + (select n from stale_wip))::int as count
    from days left join (select n, sum(delta) as delta from wip_delta group by n) w on w.n = days.n
  ),
  weeks as (
    select w from generate_series(date_trunc('week', $2::timestamptz at time zone 'UTC'), ($3::timestamptz at time zone 'UTC') - interval '1 microsecond', interval '1 week') w
  ),
  throughput as (
    select weeks.w, count(p.key)::int as count
    from weeks left join per_issue p on date_trunc('week', p.done_at at time zone 'UTC') = weeks.w
    group by weeks.w
  ),
  steps as (
    select step_id::int as step_id, step, category, kind,
           sum(${HOURS('clip_end - started_at')})::float8 as total_hours,
           count(distinct (integration_id, external_id))::int as issues
    from done_intervals where step_id is not null
    group by step_id, step, category, kind
  )
  select (select count(*)::int from per_issue) as count,
         (select percentile_cont(0.5) within group (order by cycle_hours) from per_issue) as cycle_median,
         (select percentile_cont(0.75) within group (order by cycle_hours) from per_issue) as cycle_p75,
         (select percentile_cont(0.5) within group (order by lead_hours) from per_issue) as lead_median,
         (select percentile_cont(0.75) within group (order by lead_hours) from per_issue) as lead_p75,
         (select sum(active_hours)::float8 from per_issue) as active,
         (select sum(cycle_hours)::float8 from per_issue) as cycle,
         coalesce((select json_agg(json_build_object('step_id', step_id, 'step', step, 'category', category, 'kind', kind,
                                                      'total_hours', total_hours, 'issues', issues) order by step_id) from steps), '[]') as time_in_step,
         coalesce((select json_agg(json_build_object('day', to_char(d, 'YYYY-MM-DD'), 'count', count) order by d) from wip), '[]') as wip,
         coalesce((select json_agg(json_build_object('week', to_char(w, 'IYYY-"W"IW'), 'week_start', to_char(w, 'YYYY-MM-DD'), 'count', count) order by w)
                   from throughput), '[]') as throughput`;

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
  const s = await aggregate<{
    count: number;
    cycle_median: number | null;
    cycle_p75: number | null;
    lead_median: number | null;
    lead_p75: number | null;
    active: number | null;
    cycle: number | null;
    time_in_step: FlowMetrics['time_in_step'];
    wip: FlowMetrics['wip'];
    throughput: FlowMetrics['throughput'];
  }>(db, scope, FLOW_SUMMARY);
  return {
    count: s.count,
    cycle_time: { median_hours: s.cycle_median, p75_hours: s.cycle_p75, count: s.count },
    lead_time: { median_hours: s.lead_median, p75_hours: s.lead_p75, count: s.count },
    flow_efficiency: { value: s.cycle && s.cycle > 0 ? (s.active ?? 0) / s.cycle : null, count: s.count },
    time_in_step: s.time_in_step,
    wip: s.wip,
    throughput: s.throughput,
  };
}

export const flowItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, FLOW_ITEMS, 'done_at, key', limit, offset);
