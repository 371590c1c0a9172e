import type pg from 'pg';
import { PARAMS_CTE } from './sql-params.ts';
import { aggregate, metricQuery, type ItemsPage } from './run.ts';
import { DAY } from './flow-summary.ts';
import { readFlow } from './flow-direct.ts';
import { HOURS, scopeParams, type MetricScope } from './scope.ts';
import type { Phase } from './pr-cycle-time.ts';

/**
 * Reads the flow summaries (flow-summary.ts; kept ones, or computed for the request while those
 * are behind the configuration: flow-direct.ts): per issue its
 * intervals in a status with the step each maps to, its first in_progress entry (`ip_at`) and the
 * first done entry after it (`done_at`). As when computed from the transitions on every call, only
 * issues changed since `from` count with their history; one untouched since then sits in its
 * current status for the whole range (counted by `stale_wip`).
 */
const SCOPED_ISSUE = (s: string) => `${s}.tenant_id = $1 and ${s}.created_at < $3 and ${s}.updated_at >= $2
      and ($4::bigint[] is null or ${s}.integration_id = any($4::bigint[]))
      and ($6::text[] is null or ${s}.project_key = any($6::text[]))
      and ${ACTIVE_SUMMARY(s)}`;

/**
 * Not switched off. NOT IN over a hashed list rather than NOT EXISTS: the planner, seeing the
 * (usually empty) table, picked a nested loop probing it once per summary row (~50 ms at a year).
 */
const ACTIVE_SUMMARY = (s: string) => `(${s}.integration_id, ${s}.issue_external_id) not in (
        select dz.integration_id, dz.issue_external_id from issue_deactivations dz where dz.tenant_id = $1)`;

const FLOW_BASE = `${PARAMS_CTE},
  per_issue as materialized (
    select s.integration_id, s.issue_external_id as external_id, s.key, s.issue_type, s.created_at,
           s.in_progress_at as ip_at, s.done_at, s.cycle_hours, s.lead_hours, s.active_hours, s.step_ids, s.step_hours
    from flow_issue_summaries s
    where s.done_at >= $2 and s.done_at < $3 and ${SCOPED_ISSUE('s')}
  )`;

/**
 * Issues reaching done in range, one page (ordered by done entry, then key): cycle, lead and active
 * time, and every interval up to the done entry — read for the page's issues only, not for every
 * issue of the range before paging (1.3 s for the first page of a year otherwise).
 */
const FLOW_ITEMS_PAGE = (limit: number, offset: number) => `with ${FLOW_BASE},
  page as (
    select p.*, count(*) over () as total_rows from per_issue p order by p.done_at, p.key limit ${limit} offset ${offset}
  )
  select p.integration_id::int as integration_id, p.key, p.external_id, p.issue_type, p.created_at,
         p.ip_at as in_progress_at, p.done_at, p.cycle_hours, p.lead_hours, p.active_hours,
         (select json_agg(json_build_object(
                   'status', v.status, 'step_id', v.step_id, 'step', v.step, 'category', v.category, 'kind', v.kind,
                   'from', v.started_at, 'to', v.clip_end, 'hours', ${HOURS('v.clip_end - v.started_at')}) order by v.started_at)
          from flow_issue_intervals v
          where v.tenant_id = $1 and v.integration_id = p.integration_id and v.issue_external_id = p.external_id
            and v.started_at < p.done_at) as intervals,
         p.total_rows
  from page p order by p.done_at, p.key`;

/**
 * Everything of the flow answer from the per-issue summaries, one row per issue (the intervals
 * table only serves the items). WIP at a day's end E counts the
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
  -- n = max(0, ceil((t − e0) / 1 day)) with e0 a UTC midnight = max(0, day number of t − e0's).
  -- An interval that ends by the first day's end adds +1 and −1 to day 0: it is left out.
  wip_pairs as materialized (
    select greatest(0, x.s - f.d0) as ns, case when x.e is not null then greatest(0, x.e - f.d0) end as ne
    from (
      select unnest(s.wip_start_days) as s, unnest(s.wip_end_days) as e
      from flow_issue_summaries s where ${SCOPED_ISSUE('s')}
    ) x
    cross join (select ${DAY('e0')} as d0 from first_eod) f
    where x.e is null or x.e > f.d0 or x.s > f.d0
  ),
  wip_delta as (
    select ns as n, count(*) as delta from wip_pairs group by ns
    union all
    select ne, -count(*) from wip_pairs where ne is not null group by ne
  ),
  stale_wip as (
    select count(*)::int as n
    from flow_issue_summaries s
    where s.tenant_id = $1 and s.updated_at < $2 and s.current_category = 'in_progress'
      and ($4::bigint[] is null or s.integration_id = any($4::bigint[]))
      and ($6::text[] is null or s.project_key = any($6::text[]))
      and ${ACTIVE_SUMMARY('s')}
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
  step_sums as (
    select h.step_id, sum(h.hours)::float8 as total_hours, count(*)::int as issues
    from per_issue p cross join lateral unnest(p.step_ids, p.step_hours) h(step_id, hours)
    group by h.step_id
  ),
  steps as (
    select t.step_id::int as step_id, st.name as step, st.category, st.kind, t.total_hours, t.issues
    from step_sums t join flow_steps st on st.id = t.step_id
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
  time_in_step: Array<{
    step_id: number;
    step: string;
    category: string;
    kind: string | null;
    total_hours: number;
    issues: number;
  }>;
  wip: Array<{ day: string; count: number }>;
  throughput: Array<{ week: string; week_start: string; count: number }>;
}

/** `onPending` is told when the kept summaries were behind and the answer took the direct path. */
export async function flowMetrics(
  pool: pg.Pool,
  scope: MetricScope,
  onPending: () => void,
): Promise<FlowMetrics> {
  const s = await readFlow(pool, scope, onPending, (db) =>
    aggregate<{
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
    }>(db, scope, FLOW_SUMMARY),
  );
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

export type FlowItem = Record<string, unknown>;

export async function flowItems(
  pool: pg.Pool,
  scope: MetricScope,
  limit: number,
  offset: number,
  onPending: () => void,
): Promise<ItemsPage<FlowItem>> {
  return readFlow(pool, scope, onPending, async (db) => {
    const { rows } = await metricQuery<FlowItem & { total_rows: string }>(
      db,
      FLOW_ITEMS_PAGE(limit, offset),
      scopeParams(scope),
    );
    let total = rows[0] ? Number(rows[0].total_rows) : 0;
    if (!rows[0] && offset > 0) {
      const counted = await metricQuery<{ n: string }>(
        db,
        `with ${FLOW_BASE} select count(*) as n from per_issue`,
        scopeParams(scope),
      );
      total = Number(counted.rows[0]?.n ?? 0);
    }
    const items = rows.map(({ total_rows: _total, ...item }) => item);
    return { items, total, limit, offset };
  });
}
