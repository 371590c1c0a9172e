import type pg from 'pg';
import {
  isRefusedRecord,
  type RawBatchItemResult,
  type RawRecord,
  type StreamProgress,
  type pageBodySchema,
} from '@tributary/contracts';
import { withTransaction } from '@tributary/db';
import type { z } from 'zod';
import { ForbiddenError } from '../errors.ts';
import { lockJobForPage } from '../db/lock-job-for-page.ts';
import { saveSyncState } from '../db/save-sync-state.ts';
import { saveStreamProgress } from '../db/save-stream-progress.ts';
import type { OutboxRow } from '../db/outbox-row.ts';
import { recordSeenIssues } from '../db/record-seen-issues.ts';
import { storeRawRecords } from './store-raw-records.ts';

export type ParsedPage = z.output<typeof pageBodySchema>;

export interface StoredPage {
  results: RawBatchItemResult[];
  progress: StreamProgress;
  /** The outbox rows this call wrote and holds the claim on: its to publish after the commit. */
  outbox: OutboxRow[];
}

/**
 * Stores one page of a job in one transaction: its raw records (each new, unchanged or refused),
 * their outbox rows (claimed for `claimSeconds`), the stream's cursor, and the stream's progress.
 * Any failure rolls all of it back, so a cursor never runs ahead of its records nor records
 * land without the progress that counts them.
 */
export async function storePage(
  pool: pg.Pool,
  tenantId: number,
  jobId: number,
  page: ParsedPage,
  claimSeconds: number,
): Promise<StoredPage> {
  return withTransaction(pool, async (client) => {
    const job = await lockJobForPage(client, tenantId, jobId);
    if (!job) {
      throw new ForbiddenError(
        `job ${jobId} is not a RUNNING or PAUSED job of this tenant; pages are stored only for claimed jobs`,
      );
    }
    const records: RawRecord[] = page.records.map((record) => ({
      ...record,
      integration_id: job.integration_id,
      entity_type: page.entity_type,
      job_id: jobId,
    }));
    const results =
      records.length > 0 ? await storeRawRecords(client, tenantId, records, { claimSeconds }) : [];
    await recordSeenIssues(client, tenantId, records);
    if (page.checkpoint) {
      await saveSyncState(client, tenantId, job.integration_id, {
        stream: page.stream,
        scope: page.checkpoint.scope,
        cursor: page.checkpoint.cursor,
        etag: page.checkpoint.etag ?? null,
        jobId,
      });
    }
    const progress = withPage(page.progress, page.entity_type, results, page.page_complete);
    await saveStreamProgress(client, tenantId, jobId, page.stream, progress);
    const outbox = results.flatMap((result): OutboxRow[] =>
      isRefusedRecord(result) || result.unchanged
        ? []
        : [
            {
              raw_id: result.record_id,
              tenant_id: tenantId,
              integration_id: job.integration_id,
              entity_type: page.entity_type,
              job_id: jobId,
            },
          ],
    );
    return { results, progress, outbox };
  });
}

/** The stream's progress after this page: a refused record is neither new nor unchanged but failed. */
function withPage(
  before: StreamProgress,
  entityType: string,
  results: readonly RawBatchItemResult[],
  complete: boolean,
): StreamProgress {
  const progress = structuredClone(before);
  const current = (progress.entities[entityType] ??= { seen: 0, new: 0, unchanged: 0, failed: 0 });
  for (const result of results) {
    current.seen += 1;
    if (isRefusedRecord(result)) current.failed += 1;
    else if (result.unchanged) current.unchanged += 1;
    else current.new += 1;
  }
  if (complete) progress.pages += 1;
  return progress;
}
