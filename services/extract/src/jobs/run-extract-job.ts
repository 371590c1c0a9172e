import { setTimeout as sleep } from 'node:timers/promises';
import {
  githubConfigSchema,
  githubCredentialsSchema,
  jiraConfigSchema,
  jiraCredentialsSchema,
  routingKeys,
  type ExtractMessage, type StreamName, type TransformMessage } from '@tributary/contracts';
import type { Publisher } from '@tributary/queue';
import type { LogSink } from '@tributary/observability';
import {
  BreakerOpenError,
  HttpError,
  UpstreamUnavailableError,
  type BreakerRegistry,
  type RateLimitGovernor,
} from '@tributary/resilience';
import type { BackendClient, IntegrationWithCredentials } from '../backend-client.ts';
import type { Page, StreamPosition, StreamReader } from '../connectors/types.ts';
import { buildSourceClient, createConnector, type ConnectorIntegration } from '../connectors/index.ts';
import { JobControl, JobStoppedError } from './job-control.ts';
import { settleStoredBatch, storeSplittingOnTooLarge } from './stored-batch.ts';
import type { OutboundGuard } from '@tributary/netguard';
import { classifyJobFailure } from '../errors/job-failure.ts';
import { claimForRun } from './claim.ts';
import { StreamTally } from './progress.ts';

/** Records per raw-data batch call and per transform message (DESIGN §5: ≤ 500 raw ids). */
const STORE_BATCH = 500;

export interface ExtractDeps {
  backend: BackendClient;
  publisher: Publisher;
  breakers: BreakerRegistry;
  governorFor: (integrationId: number) => RateLimitGovernor;
  logger: LogSink;
  guard: OutboundGuard;
  settings: {
    heartbeatSeconds: number;
    backendDownPauseSeconds: number;
    sourceBreakerWaitSeconds: number;
    sourceRetry: { retries: number; baseMs: number; capMs: number };
    sourceTimeoutMs: number;
    maxResponseBytes?: number;
    /** How long a delivery waits for another extractor's heartbeat to go stale before using the retry tiers. */
    maxTakeoverWaitSeconds: number;
  };
  /** Jobs this process is running (a duplicate delivery of one is acked, the run goes on). */
  activeJobs?: Set<number>;
}

/** The backend stayed unreachable past the pause limit: the job is handed back to the queue. */
export class BackendUnavailableError extends Error {}

export { JobClaimedElsewhereError } from './claim.ts';

const isBackendTrouble = (error: unknown): boolean =>
  (error instanceof BreakerOpenError && error.breakerName === 'backend') ||
  (error instanceof UpstreamUnavailableError && error.source === 'backend') ||
  (error instanceof HttpError && error.source === 'backend' && error.status >= 500);

/**
 * Runs one extract job: claim it, then for each stream read pages from the
 * source and, per page, store the records (raw-data API), publish a transform
 * message for the new ones, and only then save the stream's cursor — so a killed
 * extractor resumes from the last stored page. Resolves when the message can be
 * acked (the job ended one way or another); throws to have it retried later.
 */
export async function runExtractJob(deps: ExtractDeps, message: ExtractMessage): Promise<void> {
  const { backend, logger } = deps;
  const { tenant_id: tenantId, job_id: jobId } = message;
  const log = logger;
  const active = deps.activeJobs ?? new Set<number>();
  const claim = await claimForRun(backend, tenantId, jobId, {
    active,
    maxTakeoverWaitMs: deps.settings.maxTakeoverWaitSeconds * 1000,
    logger: log,
  });
  if (claim.kind === 'drop') return;
  const control = new JobControl(backend, tenantId, jobId, { heartbeatSeconds: deps.settings.heartbeatSeconds, logger: log });
  // Kept for the failure message: its credentials are scrubbed from it.
  let known: IntegrationWithCredentials | undefined;
  try {
    const fetchIntegration = () => backend.getIntegration(tenantId, message.integration_id, jobId);
    const integration = await fetchIntegration().catch(async (error: unknown) => {
      // Credentials are served only while the job is RUNNING (issue 10): a 403 right after the
      // claim is usually a pause or cancel that came first. The job control says which, and the
      // run then stops as it would at its next request instead of failing. A pause already
      // resumed by the time we look leaves the job RUNNING again: then ask once more.
      let link: unknown = error;
      for (let depth = 0; depth < 4 && link instanceof Error && !(link instanceof HttpError); depth++) link = link.cause;
      if (!(link instanceof HttpError && link.source === 'backend' && link.status === 403)) throw error;
      await control.check();
      return fetchIntegration();
    });
    known = integration;
    const positions = new Map<string, StreamPosition>();
    let seeded = false;
    const loadPositions = async () => {
      if (message.mode === 'full') {
        // A full run starts from nothing, or from where this same job had got before it was
        // taken over; later reloads keep what this run has reached since.
        if (!seeded) for (const [key, position] of Object.entries(claim.checkpoints)) positions.set(key, position);
        seeded = true;
        return;
      }
      positions.clear();
      for (const row of await backend.getSyncState(tenantId, integration.id)) {
        positions.set(`${row.stream}|${row.scope}`, { cursor: row.cursor, etag: row.etag });
      }
    };
    await loadPositions();
    const source = toConnectorIntegration(integration);
    const client = buildSourceClient(source, {
      registry: deps.breakers,
      governor: deps.governorFor(integration.id),
      beforeRequest: control.check,
      logger: log,
      retry: deps.settings.sourceRetry,
      attemptTimeoutMs: deps.settings.sourceTimeoutMs,
      guard: deps.guard,
      maxResponseBytes: deps.settings.maxResponseBytes,
    });
    const connector = createConnector(source, client);
    for (const stream of message.streams) {
      const reader = connector.streams[stream];
      if (!reader) {
        log.warn({ jobId, stream }, 'stream not offered by this source; skipped');
        continue;
      }
      await runStream(deps, message, integration, stream, reader, positions, loadPositions, control, new StreamTally(claim.progress[stream]));
    }
    await backend.extractionFinished(tenantId, jobId);
    log.info({ jobId }, 'extraction finished');
  } catch (error) {
    await settleFailure(deps, message, error, known);
  } finally {
    control.stop();
    active.delete(jobId);
  }
}

async function runStream(
  deps: ExtractDeps,
  message: ExtractMessage,
  integration: IntegrationWithCredentials,
  stream: StreamName,
  reader: StreamReader,
  positions: Map<string, StreamPosition>,
  reloadPositions: () => Promise<void>,
  control: JobControl,
  tally: StreamTally,
): Promise<void> {
  const { logger: log, settings } = deps;
  let sourceWaitMs = 0;
  let backendWaitMs = 0;
  for (;;) {
    const abort = new AbortController();
    try {
      const pages = reader({
        mode: message.mode,
        position: (scope) => positions.get(`${stream}|${scope}`),
        signal: abort.signal,
      });
      for await (const page of pages) {
        const { fresh, refused } = await storePage(deps, message, integration, page);
        // A record the raw layer refused is neither new nor unchanged: it is failed (and on the job).
        tally.page(page.entityType, { new: fresh, unchanged: page.records.length - fresh - refused, failed: refused });
        if (page.checkpoint) {
          const { scope, cursor } = page.checkpoint;
          const etag = page.checkpoint.etag ?? positions.get(`${stream}|${scope}`)?.etag ?? null;
          await deps.backend.saveSyncState(message.tenant_id, integration.id, { stream, scope, cursor, etag, job_id: message.job_id });
          positions.set(`${stream}|${scope}`, { cursor, etag });
        }
        await deps.backend.reportProgress(message.tenant_id, message.job_id, { [stream]: tally.value });
      }
      return;
    } catch (error) {
      abort.abort();
      // An open breaker pauses the run, it does not lose it: wait until it may
      // close, then read the stream again from the last saved position.
      const waitMs =
        error instanceof BreakerOpenError ? Math.max(250, error.retryAt.getTime() - Date.now()) : isBackendTrouble(error) ? 5000 : null;
      if (waitMs === null) throw error;
      if (isBackendTrouble(error)) {
        backendWaitMs += waitMs;
        if (backendWaitMs > settings.backendDownPauseSeconds * 1000) {
          throw new BackendUnavailableError(`backend unreachable for over ${settings.backendDownPauseSeconds} s: ${(error as Error).message}`);
        }
      } else {
        sourceWaitMs += waitMs;
        if (sourceWaitMs > settings.sourceBreakerWaitSeconds * 1000) throw error;
        await control.check();
      }
      log.warn({ jobId: message.job_id, stream, waitMs, err: error }, 'breaker open; waiting before resuming the stream');
      await sleep(waitMs);
      await reloadPositions().catch(() => undefined);
    }
  }
}

/**
 * Stores a page's records in batches, publishes a transform message per batch of new rows;
 * returns how many were new and how many the raw layer refused.
 */
async function storePage(
  deps: ExtractDeps,
  message: ExtractMessage,
  integration: IntegrationWithCredentials,
  page: Page,
): Promise<{ fresh: number; refused: number }> {
  let fresh = 0;
  let refusedCount = 0;
  for (let i = 0; i < page.records.length; i += STORE_BATCH) {
    const chunk = page.records.slice(i, i + STORE_BATCH);
    const stored = await storeSplittingOnTooLarge(
      (records) => deps.backend.storeBatch(message.tenant_id, records),
      chunk.map((record) => ({
        integration_id: integration.id,
        entity_type: page.entityType,
        external_id: record.externalId,
        raw_data: record.rawData,
        extraction_metadata: record.metadata,
        job_id: message.job_id,
      })),
    );
    // Unchanged content was loaded before (or is still pending, which the sweeper covers).
    const { newIds, refused } = settleStoredBatch(stored, { jobId: message.job_id, entityType: page.entityType, logger: deps.logger });
    fresh += newIds.length;
    refusedCount += refused.length;
    if (newIds.length === 0) continue;
    const transform: TransformMessage = {
      v: 1,
      tenant_id: message.tenant_id,
      integration_id: integration.id,
      job_id: message.job_id,
      entity_type: page.entityType,
      raw_ids: newIds,
    };
    try {
      await deps.publisher.publish(routingKeys.transform(page.entityType), transform, { correlationId: String(message.job_id) });
    } catch (error) {
      // The rows are stored `pending`: the backend's sweeper publishes them later.
      deps.logger.warn({ err: error, jobId: message.job_id, count: newIds.length }, 'transform publish failed; left to the sweeper');
    }
  }
  return { fresh, refused: refusedCount };
}

/** Turns a failed run into the right job state; rethrows when the message should be retried later. */
async function settleFailure(
  deps: ExtractDeps,
  message: ExtractMessage,
  error: unknown,
  integration: IntegrationWithCredentials | undefined,
): Promise<void> {
  const { backend, logger: log } = deps;
  const { tenant_id: tenantId, job_id: jobId } = message;
  if (error instanceof JobStoppedError) {
    if (error.reason === 'cancelled') {
      await backend.markCancelled(tenantId, jobId).catch((e: unknown) => log.warn({ err: e, jobId }, 'could not mark cancelled'));
    }
    log.info({ jobId, reason: error.reason }, 'extraction stopped');
    return;
  }
  if (error instanceof BackendUnavailableError || isBackendTrouble(error)) {
    await backend
      .pauseJob(tenantId, jobId, `paused: ${(error as Error).message}`)
      .catch(() => log.warn({ jobId }, 'could not record the pause; the backend is still down'));
    throw error;
  }
  const failure = classifyJobFailure(error, integration);
  log.error({ err: error, jobId, code: failure.code }, failure.message);
  await backend.failJob(tenantId, jobId, failure.message, failure.retryable, failure.code);
}

/**
 * The integration as a connector wants it, its credentials and config checked
 * against the contract schemas so a malformed row fails here with the field named.
 */
export function toConnectorIntegration(integration: {
  id: number;
  type: string;
  base_url: string;
  credentials: unknown;
  config: unknown;
}): ConnectorIntegration {
  if (integration.type === 'jira') {
    return {
      type: 'jira',
      id: integration.id,
      baseUrl: integration.base_url,
      credentials: jiraCredentialsSchema.parse(integration.credentials),
      config: jiraConfigSchema.parse(integration.config),
    };
  }
  if (integration.type === 'github') {
    return {
      type: 'github',
      id: integration.id,
      baseUrl: integration.base_url,
      credentials: githubCredentialsSchema.parse(integration.credentials),
      config: githubConfigSchema.parse(integration.config),
    };
  }
  throw new Error(`unknown integration type ${integration.type}`);
}

