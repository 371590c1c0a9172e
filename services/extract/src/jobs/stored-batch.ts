import { isRefusedRecord, type RawBatchItemResult, type RefusedRecord } from '@tributary/contracts';
import type { LogSink } from '@tributary/observability';
import { HttpError } from '@tributary/resilience';

export interface StoredBatchOutcome {
  /** Raw ids stored as new content (the backend publishes their transform messages). */
  newIds: number[];
  refused: RefusedRecord[];
}

/**
 * Splits a page's per-record answer. A refused record is the record's problem, not the backend's:
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

/**
 * Sends `records` in calls of at most `maxPerCall`, halving a part whenever the backend answers
 * 413 (a page of large records can outgrow the body limit though each record fits): a big page is
 * slower, never a failed run. `last` is true only for the final part, which alone may carry the
 * page's checkpoint. A single record still too large for a body is left to the 413 (the job fails
 * naming it). Answers the per-record results in input order.
 */
export async function storeInParts<R, A>(
  records: readonly R[],
  maxPerCall: number,
  send: (part: R[], last: boolean) => Promise<A[]>,
): Promise<A[]> {
  const attempt = async (part: R[], last: boolean): Promise<A[]> => {
    try {
      return await send(part, last);
    } catch (error) {
      if (!(error instanceof HttpError && error.status === 413 && part.length > 1)) throw error;
      const half = Math.ceil(part.length / 2);
      return [...(await attempt(part.slice(0, half), false)), ...(await attempt(part.slice(half), last))];
    }
  };
  const chunks: R[][] = [];
  for (let i = 0; i < records.length; i += maxPerCall) chunks.push(records.slice(i, i + maxPerCall));
  // A page without records still counts, and may carry a checkpoint (a 304, the end of a walk).
  if (chunks.length === 0) chunks.push([]);
  const results: A[] = [];
  for (const [index, chunk] of chunks.entries())
    results.push(...(await attempt(chunk, index === chunks.length - 1)));
  return results;
}
