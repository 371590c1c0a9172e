import type { Queryable } from '../flow/transaction.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { DEPLOYS_CTE, INCIDENTS_CTE } from './sql-deliveries.ts';
import { itemsPage, shareTrend, type MetricTrend } from './run.ts';
import type { MetricScope } from './scope.ts';

/** Succeeded production deployments in range, each with the incident open at its deployed-at (if any). */
export const REWORK_ITEMS = `with ${PARAMS_CTE}, ${DEPLOYS_CTE}, ${INCIDENTS_CTE}
  select s.deployment_id, s.repository, s.environment, s.deployed_at,
         inc.key is not null as rework, inc.key as incident_key, inc.started_at as incident_started_at, inc.ended_at as incident_ended_at
  from succeeded s
  left join lateral (
    select x.key, x.started_at, x.ended_at from incidents x
    where x.started_at <= s.deployed_at and (x.ended_at is null or s.deployed_at < x.ended_at)
    order by x.started_at, x.key limit 1
  ) inc on true
  where s.deployed_at >= $2 and s.deployed_at < $3`;

/** Share of succeeded deployments shipped during an incident, overall and per week of deployed-at. */
export const reworkRate = (db: Queryable, scope: MetricScope): Promise<MetricTrend> =>
  shareTrend(db, scope, REWORK_ITEMS, 'deployed_at', 'rework');

export const reworkRateItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, REWORK_ITEMS, 'deployed_at, deployment_id', limit, offset);
