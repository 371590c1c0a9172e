import type { Queryable } from '../flow/transaction.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { DEPLOYS_CTE } from './sql-deliveries.ts';
import { aggregate, itemsPage, metricQuery, WEEKS_SQL } from './run.ts';
import { scopeParams, type MetricScope } from './scope.ts';

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

export async function deploymentFrequency(db: Queryable, scope: MetricScope): Promise<DeploymentFrequency> {
  const { n } = await aggregate<{ n: number }>(db, scope, `select count(*)::int as n from (${DEPLOYMENT_FREQUENCY_ITEMS}) x`);
  const { rows } = await metricQuery<{ week: string; week_start: string; count: number }>(
    db,
    WEEKS_SQL(DEPLOYMENT_FREQUENCY_ITEMS, 'c.deployed_at'),
    scopeParams(scope),
  );
  const days = (scope.to.getTime() - scope.from.getTime()) / 86_400_000;
  return { total: n, perDay: n === 0 ? null : n / days, perWeek: rows };
}

export const deploymentFrequencyItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, DEPLOYMENT_FREQUENCY_ITEMS, 'deployed_at, deployment_id', limit, offset);
