import type { Queryable } from '../flow/transaction.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { CHANGE_OUTCOMES_CTE, DEPLOYS_CTE, INCIDENTS_CTE } from './sql-deliveries.ts';
import { itemsPage, shareTrend, type MetricTrend } from './run.ts';
import type { MetricScope } from './scope.ts';

/** Succeeded + failed production deployments in range, each with whether (and why) it counts as a failed change. */
export const CHANGE_FAIL_RATE_ITEMS = `with ${PARAMS_CTE}, ${DEPLOYS_CTE}, ${INCIDENTS_CTE}, ${CHANGE_OUTCOMES_CTE}
  select deployment_id, repository, environment, outcome, decided_at, deciding_status_id, deciding_state,
         failure is not null as failed, failure, incident_key, incident_started_at
  from change_outcomes`;

/** Failed share of the deployments in range, overall and per week of the deciding status. */
export const changeFailRate = (db: Queryable, scope: MetricScope): Promise<MetricTrend> =>
  shareTrend(db, scope, CHANGE_FAIL_RATE_ITEMS, 'decided_at', 'failed');

export const changeFailRateItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, CHANGE_FAIL_RATE_ITEMS, 'decided_at, deployment_id', limit, offset);
