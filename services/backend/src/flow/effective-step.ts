/**
 * SQL pieces shared by the flow queries and metrics: which active step a status lands on.
 * A status maps through an active mapping of its integration, matched ignoring case; a mapping
 * for the issue's type wins over the any-type one; the step must be active. `$1` is the tenant.
 */
export const ACTIVE_MAPS_CTE = `active_maps as (
  select m.integration_id, lower(m.source_status) as status_l, lower(m.issue_type) as type_l, m.flow_step_id as step_id
  from status_mappings m
  join flow_steps s on s.id = m.flow_step_id and s.tenant_id = m.tenant_id
  where m.tenant_id = $1 and m.active and s.active
)`;

/** Joins that resolve `<alias>_step_id` for a row with integration `integration`, status `status`, issue type `type`. */
export function resolveStepJoins(alias: string, integration: string, status: string, type: string): string {
  return `left join active_maps ${alias}_t on ${alias}_t.integration_id = ${integration} and ${alias}_t.status_l = lower(${status}) and ${alias}_t.type_l = lower(${type})
  left join active_maps ${alias}_u on ${alias}_u.integration_id = ${integration} and ${alias}_u.status_l = lower(${status}) and ${alias}_u.type_l is null`;
}

export function resolvedStepId(alias: string): string {
  return `coalesce(${alias}_t.step_id, ${alias}_u.step_id)`;
}

/** True for a Jira issue row `i` that nobody (and no full run) switched off. */
export const ISSUE_IS_ACTIVE = `not exists (
  select 1 from issue_deactivations dz
  where dz.tenant_id = i.tenant_id and dz.integration_id = i.integration_id and dz.issue_external_id = i.external_id
)`;
