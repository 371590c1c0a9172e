import type pg from 'pg';
import { withTransaction, type TransactionOptions } from '@tributary/db';
import type { Queryable } from '../flow/transaction.ts';
import { scopeParams, type MetricScope } from './scope.ts';

/**
 * Metric queries sort and hash tens of thousands of intervals; with the default 4 MB of work_mem
 * those spill to disk. Each runs in a short transaction with more memory: its own on the pool, or
 * the caller's (readFlow's), begun with the same options.
 */
export const METRIC_TRANSACTION = { workMem: '64MB' } satisfies TransactionOptions;

export async function metricQuery<T extends pg.QueryResultRow>(
  db: Queryable,
  sql: string,
  params: unknown[],
): Promise<pg.QueryResult<T>> {
  if ('release' in db) return db.query<T>(sql, params);
  return withTransaction(db, METRIC_TRANSACTION, (client) => client.query<T>(sql, params));
}

export interface ItemsPage<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** A page of a metric's items query (a full `with … select`), in the order it names, with the total. */
export async function itemsPage<T extends pg.QueryResultRow>(
  db: Queryable,
  scope: MetricScope,
  itemsSql: string,
  orderBy: string,
  limit: number,
  offset: number,
): Promise<ItemsPage<T>> {
  const { rows } = await metricQuery<T & { total_rows: string }>(
    db,
    `select x.*, count(*) over () as total_rows from (${itemsSql}) x order by ${orderBy} limit ${limit} offset ${offset}`,
    scopeParams(scope),
  );
  let total = 0;
  if (rows[0]) total = Number(rows[0].total_rows);
  else if (offset > 0) {
    const counted = await metricQuery<{ n: string }>(
      db,
      `select count(*) as n from (${itemsSql}) x`,
      scopeParams(scope),
    );
    total = Number(counted.rows[0]?.n ?? 0);
  }
  const items = rows.map((row) => {
    const { total_rows: _total, ...item } = row;
    return item as unknown as T;
  });
  return { items, total, limit, offset };
}

/** One row of an aggregate over a metric's items query. */
export async function aggregate<T extends pg.QueryResultRow>(
  db: Queryable,
  scope: MetricScope,
  sql: string,
): Promise<T> {
  const { rows } = await metricQuery<T>(db, sql, scopeParams(scope));
  if (!rows[0]) throw new Error('aggregate query returned no row');
  return rows[0];
}

export interface WeekValue {
  week: string;
  week_start: string;
  count: number;
  value: number | null;
}

/**
 * One query for a metric and its weekly trend: `overall` aggregated over all items, and per ISO week
 * of `[from, to)` the items whose `timeColumn` falls in it aggregated by `perWeek` (which names a
 * `count` and a `value`), as `per_week` (every week of the range, count 0 and value null when empty).
 * The items are computed once (a materialized CTE) for both.
 */
export const WITH_WEEKS = (itemsSql: string, timeColumn: string, overall: string, perWeek: string) => `
  with x as materialized (${itemsSql}),
  weeks as (
    select w from generate_series(date_trunc('week', $2::timestamptz at time zone 'UTC'), ($3::timestamptz at time zone 'UTC') - interval '1 microsecond', interval '1 week') w
  ),
  per as (select date_trunc('week', ${timeColumn} at time zone 'UTC') as w, ${perWeek} from x group by 1)
  select ${overall},
         coalesce((select json_agg(json_build_object('week', to_char(weeks.w, 'IYYY-"W"IW'), 'week_start', to_char(weeks.w, 'YYYY-MM-DD'),
                                                     'count', coalesce(per.count, 0), 'value', per.value) order by weeks.w)
                   from weeks left join per on per.w = weeks.w), '[]') as per_week
  from x`;

/** A DORA metric over the range with its weekly trend: `value` null when `count` is 0. */
export interface MetricTrend {
  value: number | null;
  count: number;
  perWeek: WeekValue[];
}

/**
 * The median of the items' `hours` column over those that have one (`count`), overall and per
 * week of `timeColumn`.
 */
export async function medianHoursTrend(
  db: Queryable,
  scope: MetricScope,
  itemsSql: string,
  timeColumn: string,
): Promise<MetricTrend> {
  const row = await aggregate<{ median: number | null; count: number; per_week: WeekValue[] }>(
    db,
    scope,
    WITH_WEEKS(
      itemsSql,
      timeColumn,
      `percentile_cont(0.5) within group (order by hours) as median, count(hours)::int as count`,
      `count(hours)::int as count, percentile_cont(0.5) within group (order by hours) as value`,
    ),
  );
  return { value: row.median, count: row.count, perWeek: row.per_week };
}

/**
 * The share of the items whose boolean column `flag` holds (`matched` of `count`), overall and per
 * week of `timeColumn`.
 */
export async function shareTrend(
  db: Queryable,
  scope: MetricScope,
  itemsSql: string,
  timeColumn: string,
  flag: string,
): Promise<MetricTrend & { matched: number }> {
  const row = await aggregate<{ count: number; matched: number; per_week: WeekValue[] }>(
    db,
    scope,
    WITH_WEEKS(
      itemsSql,
      timeColumn,
      `count(*)::int as count, (count(*) filter (where ${flag}))::int as matched`,
      `count(*)::int as count, (count(*) filter (where ${flag}))::float8 / count(*) as value`,
    ),
  );
  return {
    value: row.count === 0 ? null : row.matched / row.count,
    count: row.count,
    matched: row.matched,
    perWeek: row.per_week,
  };
}
