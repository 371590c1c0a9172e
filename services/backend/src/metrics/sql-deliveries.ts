import { HOURS } from './scope.ts';

/**
 * A sortable "deployed-at|id" text: the minimum over a window is the earliest deployment (ties by
 * id as text), and `keyAt` / `keyId` read both back, so no join to the deployments is needed.
 */
const DEPLOY_KEY = (at: string, id: string) =>
  `to_char(${at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || ${id}`;
export const keyAt = (key: string) => `(split_part(${key}, '|', 1)::timestamp at time zone 'UTC')`;
export const keyId = (key: string) => `nullif(substr(${key}, strpos(${key}, '|') + 1), '')`;

/**
 * Production deployments of the scope with their outcome (parameters as in `scopeParams`).
 * Succeeded: any status is success, deployed-at = the earliest success status's created_at.
 * Otherwise failed: any status is failure or error, at = the earliest such status. Otherwise pending.
 */
export const DEPLOYS_CTE = `deploys as materialized (
  select d.integration_id, d.external_id as deployment_id, d.repository, d.environment, d.created_at,
         st.success_at, st.success_status_id, st.fail_at, st.fail_status_id, st.fail_state,
         case when st.success_at is not null then 'succeeded' when st.fail_at is not null then 'failed' else 'pending' end as outcome,
         coalesce(st.success_at, st.fail_at) as decided_at,
         case when st.success_at is not null then st.success_status_id else st.fail_status_id end as deciding_status_id,
         case when st.success_at is not null then 'success' else st.fail_state end as deciding_state
  from github_deployments d
  cross join lateral (
    select min(s.created_at) filter (where s.state = 'success') as success_at,
           (array_agg(s.external_id order by s.created_at, s.external_id) filter (where s.state = 'success'))[1] as success_status_id,
           min(s.created_at) filter (where s.state in ('failure', 'error')) as fail_at,
           (array_agg(s.external_id order by s.created_at, s.external_id) filter (where s.state in ('failure', 'error')))[1] as fail_status_id,
           (array_agg(s.state order by s.created_at, s.external_id) filter (where s.state in ('failure', 'error')))[1] as fail_state
    from github_deployment_statuses s
    where s.tenant_id = d.tenant_id and s.integration_id = d.integration_id and s.deployment_external_id = d.external_id
  ) st
  where d.tenant_id = $1 and lower(d.environment) = any($7::text[])
    and ($4::bigint[] is null or d.integration_id = any($4::bigint[]))
    and ($5::text[] is null or d.repository = any($5::text[]))
),
-- The next succeeded deployment is found by windows over one CTE, never by joining two: Postgres
-- estimates a CTE with these filters at one row and joined them in a nested loop (0.7 s at 365 days).
ranked as materialized (
  select d.*,
         case when d.outcome = 'succeeded' then lead(d.success_at) over by_success end as next_success_at,
         case when d.outcome = 'succeeded' then lead(d.deployment_id) over by_success end as next_success_id,
         -- First success strictly after decided-at (walked newest first; at the same instant a failed
         -- one sorts before a success, so it does not see it): what a failed deployment recovers by.
         min(case when d.outcome = 'succeeded' then ${DEPLOY_KEY('d.success_at', 'd.deployment_id')} end) over (
           partition by d.repository order by d.decided_at desc, d.outcome = 'succeeded'
           rows between unbounded preceding and current row) as later_success_key
  from deploys d where d.outcome in ('succeeded', 'failed')
  window by_success as (partition by d.repository, d.outcome order by d.success_at, d.deployment_id)
),
succeeded as materialized (
  select ranked.*, success_at as deployed_at from ranked where outcome = 'succeeded'
)`;

/**
 * Incidents in scope: Jira issues of an incident type (ignoring case) or carrying an incident label;
 * active only. Two branches, not one OR: the type branch walks jira_issues_incident_type_idx
 * (migration 0010; the OR scanned every issue of the tenant, ~100 ms at 100k issues, in three of
 * the five DORA queries), and the label branch is skipped outright when no label is configured.
 */
const INCIDENT_COLUMNS = `i.integration_id, i.external_id, i.key, i.project_key, i.issue_type, i.created_at as started_at, i.resolved_at as ended_at`;
const INCIDENT_SCOPE = `i.tenant_id = $1
    and ($4::bigint[] is null or i.integration_id = any($4::bigint[]))
    and ($6::text[] is null or i.project_key = any($6::text[]))
    and not exists (
      select 1 from issue_deactivations dz
      where dz.tenant_id = i.tenant_id and dz.integration_id = i.integration_id and dz.issue_external_id = i.external_id
    )`;
export const INCIDENTS_CTE = `incidents as materialized (
  select ${INCIDENT_COLUMNS} from jira_issues i
  where lower(i.issue_type) = any($8::text[]) and ${INCIDENT_SCOPE}
  union
  select ${INCIDENT_COLUMNS} from jira_issues i
  where cardinality($9::text[]) > 0 and i.labels && $9::text[] and ${INCIDENT_SCOPE}
)`;

/**
 * Deployments in range that count for change fail rate: failed ones, and succeeded ones with the
 * first incident starting in [deployed-at, next succeeded deployment of the repository).
 */
export const CHANGE_OUTCOMES_CTE = `change_outcomes as (
  select d.deployment_id, d.integration_id, d.repository, d.environment, d.outcome, d.decided_at,
         d.deciding_status_id, d.deciding_state,
         case when d.outcome = 'failed' then 'deployment_failed' when inc.key is not null then 'incident' end as failure,
         inc.key as incident_key, inc.started_at as incident_started_at, inc.ended_at as incident_ended_at,
         d.next_success_at, d.next_success_id, d.later_success_key
  from ranked d
  left join lateral (
    select x.key, x.started_at, x.ended_at from incidents x
    where d.outcome = 'succeeded' and x.started_at >= d.success_at
      and (d.next_success_at is null or x.started_at < d.next_success_at)
    order by x.started_at, x.key limit 1
  ) inc on true
  where d.outcome in ('succeeded', 'failed') and d.decided_at >= $2 and d.decided_at < $3
)`;

/** Per merged PR of the scope: the first succeeded production deployment of its repository at or after the merge. */
export const PR_DEPLOYMENTS_CTE = `merged_prs as (
  select p.integration_id, p.repository, p.number, p.author_login, p.created_at, p.merged_at
  from github_pull_requests p
  where p.tenant_id = $1 and p.merged_at is not null
    and ($4::bigint[] is null or p.integration_id = any($4::bigint[]))
    and ($5::text[] is null or p.repository = any($5::text[]))
),
timeline as (
  select repository, merged_at as t, 0 as kind, integration_id, number, null::text as deploy_key from merged_prs
  union all
  -- Sortable "deployed-at|id": the minimum over the rows at or after a merge is the first deployment
  -- then (ties by id as text), found in one pass of a window instead of a lookup per PR.
  select repository, deployed_at, 1, integration_id, null, ${DEPLOY_KEY('deployed_at', 'deployment_id')}
  from succeeded
),
next_deploy as (
  select integration_id, repository, number,
         -- Walked newest first, so the frame is a running one (Postgres keeps it incremental).
         min(deploy_key) over (partition by repository order by t desc, kind desc rows between unbounded preceding and current row) as deploy_key
  from timeline
),
pr_deploy as (
  select n.integration_id, n.repository, n.number, ${keyAt('n.deploy_key')} as deployed_at, ${keyId('n.deploy_key')} as deployment_id
  from next_deploy n
  where n.number is not null
),
first_commit as (
  select pc.integration_id, pc.repository, pc.pull_number, min(c.authored_at) as first_authored_at
  from github_pull_request_commits pc
  join github_commits c on c.tenant_id = pc.tenant_id and c.integration_id = pc.integration_id and c.sha = pc.sha
  where pc.tenant_id = $1
    and ($4::bigint[] is null or pc.integration_id = any($4::bigint[]))
    and ($5::text[] is null or pc.repository = any($5::text[]))
  group by pc.integration_id, pc.repository, pc.pull_number
)`;

export const hours = HOURS;
