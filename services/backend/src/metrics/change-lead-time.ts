import type { Queryable } from '../flow/transaction.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { DEPLOYS_CTE, PR_DEPLOYMENTS_CTE } from './sql-deliveries.ts';
import { itemsPage, medianHoursTrend, type MetricTrend } from './run.ts';
import { HOURS, type MetricScope } from './scope.ts';

/**
 * Merged PRs whose deployment (first succeeded production deployment of the repository at or
 * after the merge) is in range; lead time from the earliest authored commit (else PR created).
 */
export const CHANGE_LEAD_TIME_ITEMS = `with ${PARAMS_CTE}, ${DEPLOYS_CTE}, ${PR_DEPLOYMENTS_CTE}
  select p.integration_id::int as integration_id, p.repository, p.number, p.created_at, p.merged_at,
         fc.first_authored_at, coalesce(fc.first_authored_at, p.created_at) as lead_time_start,
         pd.deployment_id, pd.deployed_at,
         ${HOURS('pd.deployed_at - coalesce(fc.first_authored_at, p.created_at)')} as hours
  from merged_prs p
  join pr_deploy pd on pd.integration_id = p.integration_id and pd.repository = p.repository and pd.number = p.number
  left join first_commit fc on fc.integration_id = p.integration_id and fc.repository = p.repository and fc.pull_number = p.number
  where pd.deployed_at >= $2 and pd.deployed_at < $3`;

/** Median hours and count, over the range and per week of deployed-at. */
export const changeLeadTime = (db: Queryable, scope: MetricScope): Promise<MetricTrend> =>
  medianHoursTrend(db, scope, CHANGE_LEAD_TIME_ITEMS, 'deployed_at');

export const changeLeadTimeItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, CHANGE_LEAD_TIME_ITEMS, 'deployed_at, repository, number', limit, offset);
