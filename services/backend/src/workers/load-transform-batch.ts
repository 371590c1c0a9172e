import type pg from 'pg';
import type { TransformMessage } from '@tributary/contracts';
import { withTransaction } from '@tributary/db';
import { transformerFor, UPDATED_AT_COLUMN } from './transformers/index.ts';
import { TransformError, type NormalizedTable } from './transformers/types.ts';
import { upsertNormalized, type RowToLoad } from './upsert-normalized.ts';
import { restoreNul } from '../raw/raw-record-checks.ts';

export interface RecordFailure {
  rawId: number;
  externalId: string;
  error: string;
}

export interface BatchOutcome {
  loaded: number;
  skipped: number;
  failed: RecordFailure[];
  jobIds: number[];
}

interface RawRow {
  id: number;
  job_id: number | null;
  external_id: string;
  raw_data: unknown;
  extraction_metadata: Record<string, unknown>;
  status: 'pending' | 'completed' | 'failed';
}

/**
 * Loads one transform message in one transaction: lock its raw rows, transform
 * each, upsert the normalized rows, mark raw rows completed or failed (a bad
 * record fails alone, not its batch), and count progress on the jobs. Rows
 * already completed are skipped, which makes a redelivered message a no-op.
 */
export async function loadTransformBatch(pool: pg.Pool, message: TransformMessage): Promise<BatchOutcome> {
  const transformer = transformerFor(message.entity_type);
  return withTransaction(pool, async (client) => {
    // FOR UPDATE serialises two deliveries of the same ids: the second waits,
    // then sees the rows completed and skips them.
    const { rows } = await client.query<RawRow>(
      `select id, job_id, external_id, raw_data, extraction_metadata, status
       from raw_extraction_data
       where tenant_id = $1 and integration_id = $2 and entity_type = $3 and id = any($4::bigint[])
       order by id
       for update`,
      [message.tenant_id, message.integration_id, message.entity_type, message.raw_ids],
    );
    const byTable = new Map<NormalizedTable, RowToLoad[]>();
    const completed: RawRow[] = [];
    const failed: (RecordFailure & { jobId: number | null; wasFailed: boolean })[] = [];
    let skipped = 0;
    for (const raw of rows) {
      if (raw.status === 'completed') {
        skipped++;
        continue;
      }
      try {
        // Transformers see exactly what the source sent (NUL included); the loader drops NUL from text columns.
        const produced = transformer.transform(restoreNul(raw.raw_data, raw.extraction_metadata), {
          rawId: raw.id,
          externalId: raw.external_id,
          metadata: raw.extraction_metadata,
        });
        for (const row of produced) {
          const list = byTable.get(row.table) ?? [];
          list.push({ ...row, rawId: raw.id });
          byTable.set(row.table, list);
        }
        completed.push(raw);
      } catch (error) {
        if (!(error instanceof TransformError)) throw error;
        failed.push({
          rawId: raw.id,
          externalId: raw.external_id,
          error: error.message,
          jobId: raw.job_id,
          wasFailed: raw.status === 'failed',
        });
      }
    }

    for (const [table, tableRows] of byTable) {
      await upsertNormalized(client, message.tenant_id, message.integration_id, table, tableRows, UPDATED_AT_COLUMN[table]);
    }
    if (completed.length > 0) {
      await client.query(
        // The tenant prunes the statement to its partition (raw_extraction_data is hash-partitioned by tenant).
        `update raw_extraction_data set status = 'completed', error = null, processed_at = now(), attempts = attempts + 1
         where tenant_id = $2 and id = any($1::bigint[])`,
        [completed.map((r) => r.id), message.tenant_id],
      );
    }
    if (failed.length > 0) {
      await client.query(
        `update raw_extraction_data r set status = 'failed', error = f.error, processed_at = now(), attempts = attempts + 1
         from (select unnest($1::bigint[]) as id, unnest($2::text[]) as error) f
         where r.tenant_id = $3 and r.id = f.id`,
        [failed.map((f) => f.rawId), failed.map((f) => f.error), message.tenant_id],
      );
    }
    // A record replayed after failing moves from the job's failed count to its
    // transformed count; one failing again is not counted twice.
    const settled = [...completed.map((r) => r.id), ...failed.map((f) => f.rawId)];
    if (settled.length > 0) {
      // Out of the outbox: loaded, or failed and archived as a dead letter (replay brings it back).
      await client.query('delete from raw_outbox where raw_id = any($1::bigint[])', [settled]);
    }
    const perJob = new Map<number, { transformed: number; failed: number }>();
    const count = (jobId: number | null, transformed: number, failedDelta: number) => {
      if (jobId === null) return;
      const counts = perJob.get(jobId) ?? { transformed: 0, failed: 0 };
      counts.transformed += transformed;
      counts.failed += failedDelta;
      perJob.set(jobId, counts);
    };
    for (const raw of completed) count(raw.job_id, 1, raw.status === 'failed' ? -1 : 0);
    for (const f of failed) count(f.jobId, 0, f.wasFailed ? 0 : 1);
    if (perJob.size > 0) {
      const ids = [...perJob.keys()];
      await client.query(
        `update etl_jobs j set records_transformed = records_transformed + c.t, records_failed = records_failed + c.f, updated_at = now()
         from (select unnest($1::bigint[]) as id, unnest($2::bigint[]) as t, unnest($3::bigint[]) as f) c
         where j.id = c.id and j.tenant_id = $4`,
        [ids, ids.map((id) => perJob.get(id)!.transformed), ids.map((id) => perJob.get(id)!.failed), message.tenant_id],
      );
    }
    return {
      loaded: completed.length,
      skipped,
      failed: failed.map(({ rawId, externalId, error }) => ({ rawId, externalId, error })),
      jobIds: [...new Set(rows.map((r) => r.job_id).filter((id): id is number => id !== null))],
    };
  });
}
