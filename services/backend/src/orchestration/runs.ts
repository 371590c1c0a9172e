import type pg from 'pg';
import {
  STREAMS,
  routingKeys,
  type ExtractMessage,
  type RunMode,
  type Source,
  type StreamName,
} from '@tributary/contracts';
import type { Publisher } from '@tributary/queue';
import type { LogSink } from '@tributary/observability';
import { ConflictError, NotFoundError, UpstreamUnavailableError, ValidationError } from '../errors.ts';
import { insertJob, type JobRow } from '../db/jobs.ts';
import { liveIntegration } from '../db/live-integration.ts';

/**
 * How long a request (a person waiting on POST /runs or /resume) waits for the broker's
 * confirm before answering 503: well inside the 5 s a caller should ever wait.
 */
export const REQUEST_PUBLISH_TIMEOUT_MS = 3_000;
/** When a caller answered 503 because the broker is down should look again. */
export const BROKER_DOWN_RETRY_AFTER_SECONDS = 30;

/** Publishes the extract message for a job (confirmed by the broker before it resolves, or rejected at the deadline). */
export async function publishExtract(
  publisher: Publisher,
  job: JobRow,
  source: Source,
  timeoutMs: number = REQUEST_PUBLISH_TIMEOUT_MS,
): Promise<void> {
  const message: ExtractMessage = {
    v: 1,
    tenant_id: job.tenant_id,
    integration_id: job.integration_id,
    job_id: job.id,
    source,
    streams: job.streams as StreamName[],
    mode: job.mode,
  };
  await publisher.publish(routingKeys.extract(source), message, { correlationId: String(job.id), timeoutMs });
}

/**
 * Starts a run: a PENDING job row (the database refuses a second active one),
 * then its extract message. If the broker cannot take the message within the
 * request deadline the caller gets a 503 with Retry-After, and the job stays
 * PENDING: the scheduler's republisher sends it once the broker is back.
 */
export async function triggerRun(
  pool: pg.Pool,
  publisher: Publisher,
  logger: LogSink,
  request: {
    tenantId: number;
    integrationId: number;
    streams?: readonly StreamName[] | undefined;
    mode: RunMode;
    trigger: 'manual' | 'schedule' | 'retry';
  },
): Promise<JobRow> {
  const integration = await liveIntegration(pool, request.tenantId, request.integrationId);
  if (!integration) throw new NotFoundError(`integration ${request.integrationId}`);
  if (!integration.enabled) {
    throw new ConflictError(
      `integration ${integration.id} is disabled; test and enable it before running it`,
    );
  }
  const source = integration.type as Source;
  const known: readonly string[] = STREAMS[source];
  const streams = request.streams ?? STREAMS[source];
  const unknown = streams.filter((stream) => !known.includes(stream));
  if (unknown.length > 0) {
    throw new ValidationError(`streams ${unknown.join(', ')} do not exist for ${source}`, [
      { path: 'streams', message: `${source} streams are ${known.join(', ')}` },
    ]);
  }
  const job = await insertJob(pool, {
    tenantId: request.tenantId,
    integrationId: integration.id,
    streams,
    mode: request.mode,
    trigger: request.trigger,
  });
  try {
    await publishExtract(publisher, job, source);
  } catch (error) {
    logger.error({ err: error, jobId: job.id }, 'could not queue the run; left PENDING for the republisher');
    throw new UpstreamUnavailableError(
      `job ${job.id} was created but not queued yet: message broker unavailable; it stays PENDING and is sent when the broker is back (GET /api/v1/jobs/${job.id})`,
      BROKER_DOWN_RETRY_AFTER_SECONDS,
    );
  }
  logger.info({ jobId: job.id, integrationId: integration.id, trigger: request.trigger }, 'run queued');
  return job;
}
