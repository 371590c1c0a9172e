import type pg from 'pg';
import { STREAMS, routingKeys, type ExtractMessage, type RunMode, type Source, type StreamName } from '@tributary/contracts';
import type { Publisher } from '@tributary/queue';
import type { LogSink } from '@tributary/observability';
import { ConflictError, NotFoundError, UpstreamUnavailableError, ValidationError } from '../errors.ts';
import { insertJob, type JobRow } from '../db/jobs.ts';
import { transitionJob } from '../jobs/job-state.ts';

interface IntegrationForRun {
  id: number;
  type: string;
  enabled: boolean;
}

/** Publishes the extract message for a job (confirmed by the broker before it resolves). */
export async function publishExtract(publisher: Publisher, job: JobRow, source: Source): Promise<void> {
  const message: ExtractMessage = {
    v: 1,
    tenant_id: job.tenant_id,
    integration_id: job.integration_id,
    job_id: job.id,
    source,
    streams: job.streams as StreamName[],
    mode: job.mode,
  };
  await publisher.publish(routingKeys.extract(source), message, { correlationId: String(job.id) });
}

/**
 * Starts a run: a PENDING job row (the database refuses a second active one),
 * then its extract message. If the broker cannot take the message the job fails
 * at once with that reason rather than sitting PENDING forever.
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
  const { rows } = await pool.query<IntegrationForRun>(
    'select id, type, enabled from integrations where id = $1 and tenant_id = $2 and deleted_at is null',
    [request.integrationId, request.tenantId],
  );
  const integration = rows[0];
  if (!integration) throw new NotFoundError(`integration ${request.integrationId}`);
  if (!integration.enabled) {
    throw new ConflictError(`integration ${integration.id} is disabled; test and enable it before running it`);
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
    logger.error({ err: error, jobId: job.id }, 'could not queue the run');
    await transitionJob(pool, job.tenant_id, job.id, 'FAILED', { error: 'could not queue the run: message broker unavailable' });
    throw new UpstreamUnavailableError('the run could not be queued: message broker unavailable; try again');
  }
  logger.info({ jobId: job.id, integrationId: integration.id, trigger: request.trigger }, 'run queued');
  return job;
}
