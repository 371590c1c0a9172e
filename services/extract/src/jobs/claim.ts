/**
 * Claiming a job for a delivered extract message, and the two cases that used to
 * slow recovery down: a job still beating under an extractor that has in fact died
 * (wait until its heartbeat is stale — the backend says when — and take it over
 * then, instead of sending the message through the long retry tiers), and a
 * duplicate delivery of a job this very extractor is running (after a broker
 * restart): keep running it and ack the duplicate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { InternalJob } from '@tributary/contracts';
import { HttpError } from '@tributary/resilience';
import type { LogSink } from '@tributary/observability';
import type { BackendClient } from '../backend-client.ts';

/**
 * The job is RUNNING under an extractor that keeps beating (it is alive, or we gave
 * up waiting for its heartbeat to go stale). Thrown so the consumer retries the
 * message later through a delay tier; once the job ends the claim answers a final 409.
 */
export class JobClaimedElsewhereError extends Error {}

export type JobCheckpoints = InternalJob['checkpoints'];

export type ClaimOutcome =
  | { kind: 'claimed'; checkpoints: JobCheckpoints; progress: Record<string, unknown> }
  /** Not claimable (ended, paused by a person, gone) or already running here: ack and forget the message. */
  | { kind: 'drop'; reason: string };

const bodyCode = (error: HttpError): string | undefined => {
  try {
    return (JSON.parse(error.bodySnippet) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
};

export interface ClaimOptions {
  /** Jobs this process is running now (shared by every delivery it handles). */
  active: Set<number>;
  /** Longest this delivery waits, in all, for another extractor's heartbeat to go stale. */
  maxTakeoverWaitMs: number;
  logger: LogSink;
  wait?: (ms: number) => Promise<unknown>;
}

export async function claimForRun(
  backend: BackendClient,
  tenantId: number,
  jobId: number,
  options: ClaimOptions,
): Promise<ClaimOutcome> {
  const { logger: log } = options;
  if (options.active.has(jobId)) {
    log.info(
      { jobId },
      'duplicate delivery of a job this extractor is running; it goes on, the duplicate is acked',
    );
    return { kind: 'drop', reason: 'running here' };
  }
  // Taken before the claim, so a second delivery handled meanwhile is recognised as a duplicate.
  options.active.add(jobId);
  try {
    const outcome = await claimLoop(backend, tenantId, jobId, options);
    if (outcome.kind === 'drop') options.active.delete(jobId);
    return outcome;
  } catch (error) {
    options.active.delete(jobId);
    throw error;
  }
}

async function claimLoop(
  backend: BackendClient,
  tenantId: number,
  jobId: number,
  options: ClaimOptions,
): Promise<ClaimOutcome> {
  const { logger: log } = options;
  const wait = options.wait ?? ((ms: number) => sleep(ms));
  let waited = 0;
  for (;;) {
    try {
      const answer = await backend.claimJob(tenantId, jobId);
      return { kind: 'claimed', checkpoints: answer.checkpoints, progress: answer.progress };
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      if (error.status === 409 && bodyCode(error) === 'JOB_CLAIMED') {
        const staleInMs = Number(error.headers['retry-after'] ?? NaN) * 1000;
        // Half a second past the stale moment, so the heartbeat is stale by the backend's clock too.
        const pause = Number.isFinite(staleInMs) ? staleInMs + 500 : NaN;
        if (Number.isFinite(pause) && waited + pause <= options.maxTakeoverWaitMs) {
          log.info(
            { jobId, waitMs: pause },
            'job beating under another extractor; taking it over when its heartbeat goes stale',
          );
          await wait(pause);
          waited += pause;
          continue;
        }
        log.info({ jobId }, 'job running under another extractor; will try to claim it again later');
        throw new JobClaimedElsewhereError(`job ${jobId} is running under another extractor`);
      }
      if (error.status === 409 || error.status === 404) {
        log.info({ jobId, reason: error.bodySnippet }, 'extract message dropped: job not claimable');
        return { kind: 'drop', reason: error.bodySnippet };
      }
      throw error;
    }
  }
}
