import { isRefusedRecord, type RawBatchItemResult, type RefusedRecord } from '@tributary/contracts';
import type { LogSink } from '@tributary/observability';

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
