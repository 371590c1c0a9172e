/**
 * Types every shared parameter once (see `scopeParams`), so a query that does not use all of
 * them still parses; Postgres analyses an unreferenced CTE but does not run it.
 */
export const PARAMS_CTE = `scope_params as (
  select $1::bigint as tenant_id, $2::timestamptz as range_from, $3::timestamptz as range_to, $4::bigint[] as integration_ids,
         $5::text[] as repositories, $6::text[] as projects, $7::text[] as production_environments,
         $8::text[] as incident_types, $9::text[] as incident_labels
)`;

/** ISO week label (`2026-W03`) of a timestamp, in UTC. */
export const isoWeek = (column: string) => `to_char(${column} at time zone 'UTC', 'IYYY-"W"IW')`;
export const isoWeekStart = (column: string) =>
  `to_char(date_trunc('week', ${column} at time zone 'UTC'), 'YYYY-MM-DD')`;
