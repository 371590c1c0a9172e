import type { Queryable } from '../flow/transaction.ts';
import { PARAMS_CTE } from './sql-params.ts';
import { DEPLOYS_CTE, PR_DEPLOYMENTS_CTE } from './sql-deliveries.ts';
import { aggregate, itemsPage } from './run.ts';
import { HOURS, type MetricScope } from './scope.ts';

/**
 * PRs merged in range with their four phases: coding (earliest commit authored → created, negative
 * clamps to 0), pickup (created → first review or review comment by someone other than the author),
 * review (that first review → merged), deploy (merged → deployed-at of its deployment). A phase
 * whose start or end is unknown is null and not counted.
 */
export const PR_CYCLE_ITEMS = `with ${PARAMS_CTE}, ${DEPLOYS_CTE}, ${PR_DEPLOYMENTS_CTE},
  in_range as (select * from merged_prs where merged_at >= $2 and merged_at < $3),
  first_review as (
    select p.integration_id, p.repository, p.number, min(r.at) as at
    from in_range p
    join lateral (
      select rv.submitted_at as at from github_reviews rv
      where rv.tenant_id = $1 and rv.integration_id = p.integration_id and rv.repository = p.repository and rv.pull_number = p.number
        and rv.submitted_at is not null and rv.author_login is distinct from p.author_login
      union all
      select rc.created_at from github_review_comments rc
      where rc.tenant_id = $1 and rc.integration_id = p.integration_id and rc.repository = p.repository and rc.pull_number = p.number
        and rc.author_login is distinct from p.author_login
    ) r on true
    group by p.integration_id, p.repository, p.number
  )
  select p.integration_id::int as integration_id, p.repository, p.number, p.author_login, p.created_at, p.merged_at,
         fc.first_authored_at, fr.at as first_review_at, pd.deployment_id, pd.deployed_at,
         greatest(0, ${HOURS('p.created_at - fc.first_authored_at')}) as coding_hours,
         ${HOURS('fr.at - p.created_at')} as pickup_hours,
         ${HOURS('p.merged_at - fr.at')} as review_hours,
         ${HOURS('pd.deployed_at - p.merged_at')} as deploy_hours
  from in_range p
  left join first_commit fc on fc.integration_id = p.integration_id and fc.repository = p.repository and fc.pull_number = p.number
  left join first_review fr on fr.integration_id = p.integration_id and fr.repository = p.repository and fr.number = p.number
  left join pr_deploy pd on pd.integration_id = p.integration_id and pd.repository = p.repository and pd.number = p.number`;

export interface Phase {
  median_hours: number | null;
  p75_hours: number | null;
  count: number;
}

const phase = (column: string) =>
  `percentile_cont(0.5) within group (order by ${column}) as ${column}_median,
   percentile_cont(0.75) within group (order by ${column}) as ${column}_p75,
   count(${column})::int as ${column}_count`;

export async function prCycleTime(
  db: Queryable,
  scope: MetricScope,
): Promise<{ count: number; coding: Phase; pickup: Phase; review: Phase; deploy: Phase }> {
  const row = await aggregate<Record<string, number | null>>(
    db,
    scope,
    `select count(*)::int as count, ${['coding_hours', 'pickup_hours', 'review_hours', 'deploy_hours'].map(phase).join(', ')}
     from (${PR_CYCLE_ITEMS}) x`,
  );
  const pick = (name: string): Phase => ({
    median_hours: row[`${name}_hours_median`] ?? null,
    p75_hours: row[`${name}_hours_p75`] ?? null,
    count: row[`${name}_hours_count`] ?? 0,
  });
  return {
    count: row.count ?? 0,
    coding: pick('coding'),
    pickup: pick('pickup'),
    review: pick('review'),
    deploy: pick('deploy'),
  };
}

export const prCycleTimeItems = (db: Queryable, scope: MetricScope, limit: number, offset: number) =>
  itemsPage(db, scope, PR_CYCLE_ITEMS, 'merged_at, repository, number', limit, offset);
