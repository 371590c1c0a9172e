import type pg from 'pg';
import { ACTIVE_MAPS_CTE } from '../../flow/effective-step.ts';

export interface UnmappedStatusRow {
  integration_id: string;
  status: string;
  category_key: string | null;
  seen_in: Array<'jira_statuses' | 'transitions'>;
  issues: number;
}

/**
 * Statuses seen in `jira_statuses` or in transitions (either side) with no active mapping onto
 * an active step (for any issue type), one row per integration and status ignoring case, with
 * how many issues are in it now.
 */
export async function unmappedStatuses(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  integrationId: number | null,
): Promise<UnmappedStatusRow[]> {
  const { rows } = await db.query<UnmappedStatusRow>(
    `with ${ACTIVE_MAPS_CTE},
     seen as (
       select integration_id, name as status, category_key, 'jira_statuses' as source
       from jira_statuses where tenant_id = $1
       union all
       select integration_id, to_status, null, 'transitions' from jira_issue_transitions where tenant_id = $1 and to_status is not null
       union all
       select integration_id, from_status, null, 'transitions' from jira_issue_transitions where tenant_id = $1 and from_status is not null
     ),
     grouped as (
       select integration_id, lower(status) as status_l, min(status) as status, max(category_key) as category_key,
              array_agg(distinct source order by source) as seen_in
       from seen where ($2::bigint is null or integration_id = $2)
       group by integration_id, lower(status)
     )
     select g.integration_id, g.status, g.category_key, g.seen_in,
            (select count(*)::int from jira_issues i
             where i.tenant_id = $1 and i.integration_id = g.integration_id and lower(i.status_name) = g.status_l) as issues
     from grouped g
     where not exists (select 1 from active_maps m where m.integration_id = g.integration_id and m.status_l = g.status_l)
     order by g.integration_id, g.status_l`,
    [tenantId, integrationId],
  );
  return rows;
}
