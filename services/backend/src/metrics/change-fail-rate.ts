import type { Queryable } from '../flow/transaction.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { CHANGE_OUTCOMES_CTE, DEPLOYS_CTE, INCIDENTS_CTE } from './sql-deliveries.ts';
import { aggregate, itemsPage, WITH_WEEKS, type WeekValue } from './run.ts';
import type { MetricScope } from './scope.ts';

/** Succeeded + failed production deployments in range, each with whether (and why) it counts as a failed change. */
export const CHANGE_FAIL_RATE_ITEMS = `with ${PARAMS_CTE}, ${DEPLOYS_CTE}, ${INCIDENTS_CTE}, ${CHANGE_OUTCOMES_CTE}
  select deployment_id, repository, environment, outcome, decided_at, deciding_status_id, deciding_state,
         failure is not null as failed, failure, incident_key, incident_started_at
  from change_outcomes`;

/** Failed share of the deployments in range, overall and per week of the deciding status. */
export async function changeFailRate(
  db: Queryable,
  scope: MetricScope,
): Promise<{ value: number | null; count: number; failed: number; perWeek: WeekValue[] }> {
  const row = await aggregate<{ count: number; failed: number; per_week: WeekValue[] }>(
    db,
    scope,
    WITH_WEEKS(
      CHANGE_FAIL_RATE_ITEMS,
      'decided_at',
      `count(*)::int as count, (count(*) filter (where failed))::int as failed`,
      `count(*)::int as count, (count(*) filter (where failed))::float8 / count(*) as value`,
    ),
  );
  return {
    count: row.count,
    failed: row.failed,
    value: row.count === 0 ? null : row.failed / row.count,
    perWeek: row.per_week,
  };
}

export const changeFailRateItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, CHANGE_FAIL_RATE_ITEMS, 'decided_at, deployment_id', limit, offset);
