import type pg from 'pg';

/** A raw record the raw layer refused, with what is needed to inspect and replay it. */
export interface RawRefusal {
  integration_id: number;
  job_id: number | null;
  entity_type: string;
  external_id: string;
  content_hash: string;
  code: string;
  message: string;
  /** The record as it was posted (JSON text: `text` holds what `jsonb` cannot, escaped NUL included). */
  body: string;
}

/** The archive's queue name for refused raw records; replay stores them again instead of publishing. */
export const RAW_REFUSED_QUEUE = 'raw-data';

/** How many refusals a job keeps in `progress.refused_records` (the count is `records_failed`). */
const REASONS_KEPT = 20;

// One statement: the dead letters (one per distinct refused content, not one per run that met
// it again) and the job's count and first reasons move together.
const RECORD_REFUSALS = `
with input as (
  select (r->>'integration_id')::bigint as integration_id, (r->>'job_id')::bigint as job_id,
         r->>'entity_type' as entity_type, r->>'external_id' as external_id, r->>'content_hash' as content_hash,
         r->>'code' as code, r->>'message' as message, r->>'body' as body, ord
  from jsonb_array_elements($2::jsonb) with ordinality as t(r, ord)
), archived as (
  insert into dead_letters (tenant_id, integration_id, entity_type, message_id, correlation_id, queue, routing_key,
                            headers, body, reason, attempts, first_failed_at)
  select $1, i.integration_id, i.entity_type,
         'raw:' || i.integration_id || ':' || i.entity_type || ':' || i.external_id || ':' || i.content_hash,
         i.job_id::text, '${RAW_REFUSED_QUEUE}', 'raw.' || i.entity_type,
         jsonb_build_object('x-refusal-code', i.code, 'x-external-id', i.external_id),
         i.body, i.code || ': ' || i.message, 1, now()
  from input i
  on conflict (message_id, death_number) do nothing
  returning id
), counted as (
  select job_id, count(*) as n,
         jsonb_agg(jsonb_build_object('entity_type', entity_type, 'external_id', external_id, 'code', code, 'message', message) order by ord) as reasons
  from input where job_id is not null group by job_id
)
update etl_jobs j
set records_failed = records_failed + c.n,
    progress = jsonb_set(j.progress, '{refused_records}',
      (select coalesce(jsonb_agg(x order by n), '[]'::jsonb) from (
         select x, n from jsonb_array_elements(coalesce(j.progress->'refused_records', '[]'::jsonb) || c.reasons) with ordinality as e(x, n)
         order by n limit ${REASONS_KEPT}) kept)),
    updated_at = now()
from counted c
where j.id = c.job_id and j.tenant_id = $1`;

/** Archives refused records as dead letters and counts them (with their first reasons) on their jobs. */
export async function recordRawRefusals(
  pool: pg.Pool | pg.PoolClient,
  tenantId: number,
  refusals: readonly RawRefusal[],
): Promise<void> {
  if (refusals.length === 0) return;
  await pool.query(RECORD_REFUSALS, [tenantId, JSON.stringify(refusals)]);
}
