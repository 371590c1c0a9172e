import { isRefusedRecord, type RawBatchItemResult, type RefusedRecord } from '@tributary/contracts';
import type { LogSink } from '@tributary/observability';
import { HttpError } from '@tributary/resilience';
import type { BackendClient } from '../backend-client.ts';

export interface StoredBatchOutcome {
  /** Raw ids stored as new content: these need a transform message. */
  newIds: number[];
  refused: RefusedRecord[];
}

/**
 * Splits the raw-data batch answer. A refused record is the record's problem, not the backend's:
 * the backend has already counted it on the job and archived it as a dead letter, so it is logged
 * and the run goes on — it never counts against the `backend` breaker and is never re-sent.
 */
export function settleStoredBatch(
  results: readonly RawBatchItemResult[],
  context: { jobId: number; entityType: string; logger: LogSink },
): StoredBatchOutcome {
  const newIds: number[] = [];
  const refused: RefusedRecord[] = [];
  for (const result of results) {
    if (isRefusedRecord(result)) refused.push(result);
    else if (!result.unchanged) newIds.push(result.record_id);
  }
  if (refused.length > 0) {
    context.logger.warn(
      { jobId: context.jobId, entityType: context.entityType, refused: refused.slice(0, 5) },
      `${refused.length} record(s) refused by the raw layer; recorded on the job and in the dead-letter archive`,
    );
  }
  return { newIds, refused };
}

type StoreBatch = (records: Parameters<BackendClient['storeBatch']>[1]) => Promise<RawBatchItemResult[]>;

/**
 * Stores `records`, halving the batch whenever the backend answers 413 (a page of large records
 * can outgrow the body limit though each record fits): a big page is slower, never a failed run.
 * A single record still too large for a body is left to the 413 (the job fails naming it).
 */
export async function storeSplittingOnTooLarge(store: StoreBatch, records: Parameters<StoreBatch>[0]): Promise<RawBatchItemResult[]> {
  try {
    return await store(records);
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 413 && records.length > 1)) throw error;
    const half = Math.ceil(records.length / 2);
    return [
      ...(await storeSplittingOnTooLarge(store, records.slice(0, half))),
      ...(await storeSplittingOnTooLarge(store, records.slice(half))),
    ];
  }
}
