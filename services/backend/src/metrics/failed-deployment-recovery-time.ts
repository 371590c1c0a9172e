import type { Queryable } from '../flow/transaction.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { CHANGE_OUTCOMES_CTE, DEPLOYS_CTE, INCIDENTS_CTE, keyAt, keyId } from './sql-deliveries.ts';
import { itemsPage, medianHoursTrend, type MetricTrend } from './run.ts';
import { HOURS, type MetricScope } from './scope.ts';

/**
 * Failed changes in range (as in change fail rate) and how long recovery took: a failed outcome
 * recovers at the next succeeded production deployment of the repository, an incident-linked one
 * when the incident ends. Not yet recovered: `hours` null, not counted.
 */
export const RECOVERY_ITEMS = `with ${PARAMS_CTE}, ${DEPLOYS_CTE}, ${INCIDENTS_CTE}, ${CHANGE_OUTCOMES_CTE},
  recovered as (
    select o.*,
           case when o.failure = 'deployment_failed' then o.decided_at else o.incident_started_at end as failed_at,
           case when o.failure = 'deployment_failed' then ${keyAt('o.later_success_key')} else o.incident_ended_at end as recovered_at,
           case when o.failure = 'deployment_failed' then ${keyId('o.later_success_key')} else o.incident_key end as recovered_by
    from change_outcomes o
    where o.failure is not null
  )
  select deployment_id, repository, environment, decided_at, failure, incident_key, failed_at, recovered_at, recovered_by,
         ${HOURS('recovered_at - failed_at')} as hours
  from recovered`;

/**
 * Median hours over the recovered failures, overall and per week of the failed deployment's
 * deciding status (in range by definition, unlike an incident's start).
 */
export const recoveryTime = (db: Queryable, scope: MetricScope): Promise<MetricTrend> =>
  medianHoursTrend(db, scope, RECOVERY_ITEMS, 'decided_at');

export const recoveryTimeItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, RECOVERY_ITEMS, 'failed_at, deployment_id', limit, offset);
