import type { Queryable } from '../flow/transaction.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { DEPLOYS_CTE } from './sql-deliveries.ts';
import { aggregate, itemsPage, WITH_WEEKS, type WeekValue } from './run.ts';
import type { MetricScope } from './scope.ts';

/** Succeeded production deployments with deployed-at in range, with the status that decided each. */
export const DEPLOYMENT_FREQUENCY_ITEMS = `with ${PARAMS_CTE}, ${DEPLOYS_CTE}
  select deployment_id, integration_id::int as integration_id, repository, environment, 'succeeded' as outcome,
         deployed_at, deciding_status_id, deciding_state
  from succeeded where deployed_at >= $2 and deployed_at < $3`;

export interface DeploymentFrequency {
  total: number;
  perDay: number | null;
  perWeek: Array<{ week: string; week_start: string; count: number }>;
}

/** Total and per ISO week of deployed-at, in one query (the weekly counts were a second one). */
export async function deploymentFrequency(db: Queryable, scope: MetricScope): Promise<DeploymentFrequency> {
  const row = await aggregate<{ n: number; per_week: WeekValue[] }>(
    db,
    scope,
    WITH_WEEKS(
      DEPLOYMENT_FREQUENCY_ITEMS,
      'deployed_at',
      'count(*)::int as n',
      'count(*)::int as count, null::float8 as value',
    ),
  );
  const days = (scope.to.getTime() - scope.from.getTime()) / 86_400_000;
  const perWeek = row.per_week.map(({ week, week_start, count }) => ({ week, week_start, count }));
  return { total: row.n, perDay: row.n === 0 ? null : row.n / days, perWeek };
}

export const deploymentFrequencyItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, DEPLOYMENT_FREQUENCY_ITEMS, 'deployed_at, deployment_id', limit, offset);
