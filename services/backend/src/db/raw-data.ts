import type pg from 'pg';

/** A pool or a client inside a transaction: these statements run in either. */
export type Queryable = pg.Pool | pg.PoolClient;

/** A raw record ready to store: validated, with its content hash computed. */
export interface RawRecordToStore {
  integration_id: number;
  entity_type: string;
  external_id: string;
  /** raw_data already serialized: the text that was hashed is the text that is stored. */
  raw_json: string;
  extraction_metadata: Record<string, unknown>;
  content_hash: string;
  job_id: number | null;
}

export interface StoredRawRecord {
  record_id: number;
  unchanged: boolean;
}

// The whole batch travels as one json parameter and is expanded server-side:
// one round trip and one statement for up to 1000 rows. Rows whose content is
// already stored conflict and are looked up instead, so the answer keeps input order.
// `json`, not `jsonb`: each record's raw_data is copied out as the text it was sent as
// (the column is json too), never built into jsonb and printed back.
const INSERT_BATCH = `
with input as (
  select *
  from rows from (
    json_to_recordset($2::json) as (
      integration_id bigint, job_id bigint, entity_type text, external_id text,
      content_hash text, extraction_metadata jsonb, raw_data json)
  ) with ordinality as t(integration_id, job_id, entity_type, external_id, content_hash, extraction_metadata, raw_data, ord)
), inserted as (
  insert into raw_extraction_data
    (tenant_id, integration_id, job_id, entity_type, external_id, raw_data, extraction_metadata, content_hash)
  select $1, integration_id, job_id, entity_type, external_id, raw_data, extraction_metadata, content_hash
  from input order by ord
  on conflict (tenant_id, integration_id, entity_type, external_id, content_hash) do nothing
  returning id, job_id, integration_id, entity_type, external_id, content_hash
), outboxed as (
  -- The outbox row is written with the raw row: nothing stored is ever without one.
  -- Claimed by the caller for $3 seconds: it publishes them after its commit, and the relay
  -- leaves them alone until then (it takes them if that publisher died first).
  insert into raw_outbox (raw_id, tenant_id, integration_id, entity_type, job_id, claimed_until)
  select id, $1, integration_id, entity_type, job_id, now() + make_interval(secs => $3) from inserted
), counted as (
  -- New rows count towards their job's progress in the same statement.
  update etl_jobs set records_extracted = records_extracted + c.n, updated_at = now()
  from (select job_id, count(*) as n from inserted where job_id is not null group by job_id) c
  where etl_jobs.id = c.job_id and etl_jobs.tenant_id = $1
)
select input.ord::int as ord,
       -- A scalar subquery, not a join: evaluated (by index) only for rows that conflicted.
       coalesce(inserted.id, (
         select e.id from raw_extraction_data e
         where e.tenant_id = $1 and e.integration_id = input.integration_id and e.entity_type = input.entity_type
           and e.external_id = input.external_id and e.content_hash = input.content_hash
       )) as id,
       inserted.id is null as unchanged
from input
left join inserted using (integration_id, entity_type, external_id, content_hash)
order by input.ord`;

// A row inserted by a concurrent batch after this statement's snapshot conflicts
// but is invisible to the join above; a second statement sees it.
const FIND_EXISTING = `
select id from raw_extraction_data
where tenant_id = $1 and integration_id = $2 and entity_type = $3 and external_id = $4 and content_hash = $5`;

/**
 * Stores a batch in one multi-row insert; identical content for an entity is not stored twice.
 * The new rows' outbox rows are claimed for `claimSeconds` by the caller, who publishes them.
 */
export async function storeRawBatch(
  pool: Queryable,
  tenantId: number,
  records: readonly RawRecordToStore[],
  claimSeconds: number,
): Promise<StoredRawRecord[]> {
  // One statement, so atomic on its own (the pages route runs it inside its transaction).
  const { rows } = await pool.query<{ ord: number; id: number | null; unchanged: boolean }>(INSERT_BATCH, [
    tenantId,
    serializeBatch(records),
    claimSeconds,
  ]);
  const stored: StoredRawRecord[] = [];
  for (const row of rows) {
    let id = row.id;
    if (id === null) {
      const record = records[row.ord - 1]!;
      const found = await pool.query<{ id: number }>(FIND_EXISTING, [
        tenantId,
        record.integration_id,
        record.entity_type,
        record.external_id,
        record.content_hash,
      ]);
      id = found.rows[0]!.id;
    }
    stored.push({ record_id: id, unchanged: row.unchanged });
  }
  return stored;
}

/** Which of these integration ids are live integrations of the tenant. */
export async function liveIntegrationIds(
  pool: pg.Pool,
  tenantId: number,
  ids: readonly number[],
): Promise<Set<number>> {
  const { rows } = await pool.query<{ id: number }>(
    'select id from integrations where tenant_id = $1 and id = any($2::bigint[]) and deleted_at is null',
    [tenantId, ids],
  );
  return new Set(rows.map((row) => row.id));
}

// Splices each record's already-serialized raw_data into the batch document, so
// the largest part of every record is stringified once, not twice.
function serializeBatch(records: readonly RawRecordToStore[]): string {
  const parts = records.map(
    (r) =>
      `{"integration_id":${r.integration_id},"job_id":${r.job_id ?? 'null'},"entity_type":${JSON.stringify(r.entity_type)},` +
      `"external_id":${JSON.stringify(r.external_id)},"content_hash":"${r.content_hash}",` +
      `"extraction_metadata":${JSON.stringify(r.extraction_metadata)},"raw_data":${r.raw_json}}`,
  );
  return `[${parts.join(',')}]`;
}
