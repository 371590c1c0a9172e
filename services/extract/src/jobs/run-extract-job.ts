import { setTimeout as sleep } from 'node:timers/promises';
import {
  githubConfigSchema,
  githubCredentialsSchema,
  jiraConfigSchema,
  jiraCredentialsSchema,
  MAX_TRANSFORM_BATCH,
  type ExtractMessage,
  type PageBody,
  type RawBatchItemResult,
  type StreamName,
} from '@tributary/contracts';
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
import { settleStoredBatch, storeInParts } from './stored-batch.ts';
import { forEachBounded, readAhead } from './read-ahead.ts';
import type { OutboundGuard } from '@tributary/netguard';
import { classifyJobFailure } from '../errors/job-failure.ts';
import { claimForRun } from './claim.ts';
import { StreamTally } from './progress.ts';

/** Most records per pages call: a transform message's worth (DESIGN §5: ≤ 500 raw ids). */
const STORE_BATCH = MAX_TRANSFORM_BATCH;

/** Pages of one stream fetched but not yet stored, the one being stored included. */
export const DEFAULT_PAGES_IN_FLIGHT = 2;
/** Streams of one job read at once (they share the integration's governor, so its quota and concurrency cap). */
export const DEFAULT_STREAM_CONCURRENCY = 4;

export interface ExtractDeps {
  backend: BackendClient;
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
    /** Pages of a stream in flight (fetched, not yet stored); 1 reads and stores one page at a time. */
    pagesInFlight?: number;
    /** Streams of a job read at once; 1 runs them one after the other. */
    streamConcurrency?: number;
    /** GitHub deployments of a page whose statuses are fetched at once. */
    githubStatusConcurrency?: number;
  };
  /** Jobs this process is running (a duplicate delivery of one is acked, the run goes on). */
  activeJobs?: Set<number>;
}

/** The backend stayed unreachable past the pause limit: the job is handed back to the queue. */
export class BackendUnavailableError extends Error {}

export { JobClaimedElsewhereError } from './claim.ts';

// A type guard, so the callers read the error's message without a cast.
const isBackendTrouble = (error: unknown): error is BreakerOpenError | UpstreamUnavailableError | HttpError =>
  (error instanceof BreakerOpenError && error.breakerName === 'backend') ||
  (error instanceof UpstreamUnavailableError && error.source === 'backend') ||
  (error instanceof HttpError && error.source === 'backend' && error.status >= 500);

/**
 * Runs one extract job: claim it, then read its streams (several at once, within the
 * integration's governor) and send each page to the backend in one call that stores its
 * records, saves the stream's cursor and its progress together — so a killed extractor
 * resumes from the last stored page. The backend publishes the transform messages. While a
 * page is stored the next ones are fetched (bounded, in order). Resolves when the message
 * can be acked (the job ended one way or another); throws to have it retried later.
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
  const control = new JobControl(backend, tenantId, jobId, {
    heartbeatSeconds: deps.settings.heartbeatSeconds,
    logger: log,
  });
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
      for (let depth = 0; depth < 4 && link instanceof Error && !(link instanceof HttpError); depth++)
        link = link.cause;
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
        if (!seeded)
          for (const [key, position] of Object.entries(claim.checkpoints)) positions.set(key, position);
        seeded = true;
        return;
      }
      const rows = await backend.getSyncState(tenantId, integration.id);
      // Swapped in one synchronous step: another stream reading its position meanwhile never sees a half-filled map.
      positions.clear();
      for (const row of rows)
        positions.set(`${row.stream}|${row.scope}`, { cursor: row.cursor, etag: row.etag });
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
    const connector = createConnector(source, client, {
      githubStatusConcurrency: deps.settings.githubStatusConcurrency,
    });
    // No stream reads what another writes (each has its own cursors and entity types; the
    // backend's end-of-job steps wait for all of them), so they run side by side, bounded; they
    // share the governor, which keeps the integration's quota and concurrency cap.
    const siblingsStop = new AbortController();
    await forEachBounded(
      message.streams,
      deps.settings.streamConcurrency ?? DEFAULT_STREAM_CONCURRENCY,
      async (stream) => {
        const reader = connector.streams[stream];
        if (!reader) {
          log.warn({ jobId, stream }, 'stream not offered by this source; skipped');
          return;
        }
        const tally = new StreamTally(claim.progress[stream]);
        try {
          await runStream(
            deps,
            message,
            stream,
            reader,
            positions,
            loadPositions,
            control,
            tally,
            siblingsStop.signal,
          );
        } catch (error) {
          // One stream failing ends the run: the others stop at their next page.
          siblingsStop.abort();
          throw error;
        }
      },
    );
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
  stream: StreamName,
  reader: StreamReader,
  positions: Map<string, StreamPosition>,
  reloadPositions: () => Promise<void>,
  control: JobControl,
  tally: StreamTally,
  siblingsStop: AbortSignal,
): Promise<void> {
  const { logger: log, settings } = deps;
  let sourceWaitMs = 0;
  let backendWaitMs = 0;
  for (;;) {
    const abort = new AbortController();
    try {
      const pages = readAhead(
        reader({
          mode: message.mode,
          position: (scope) => positions.get(`${stream}|${scope}`),
          signal: AbortSignal.any([abort.signal, siblingsStop]),
        }),
        settings.pagesInFlight ?? DEFAULT_PAGES_IN_FLIGHT,
      );
      for await (const page of pages) {
        // Another stream failed the run: stop here, its error is the one reported.
        if (siblingsStop.aborted) return;
        const checkpoint = page.checkpoint && {
          scope: page.checkpoint.scope,
          cursor: page.checkpoint.cursor,
          etag: page.checkpoint.etag ?? positions.get(`${stream}|${page.checkpoint.scope}`)?.etag ?? null,
        };
        await storePage(deps, message, stream, page, checkpoint, tally);
        if (checkpoint)
          positions.set(`${stream}|${checkpoint.scope}`, {
            cursor: checkpoint.cursor,
            etag: checkpoint.etag,
          });
      }
      return;
    } catch (error) {
      abort.abort();
      if (siblingsStop.aborted) return;
      // An open breaker pauses the run, it does not lose it: wait until it may
      // close, then read the stream again from the last saved position.
      const waitMs =
        error instanceof BreakerOpenError
          ? Math.max(250, error.retryAt.getTime() - Date.now())
          : isBackendTrouble(error)
            ? 5000
            : null;
      if (waitMs === null) throw error;
      if (isBackendTrouble(error)) {
        backendWaitMs += waitMs;
        if (backendWaitMs > settings.backendDownPauseSeconds * 1000) {
          throw new BackendUnavailableError(
            `backend unreachable for over ${settings.backendDownPauseSeconds} s: ${error.message}`,
          );
        }
      } else {
        sourceWaitMs += waitMs;
        if (sourceWaitMs > settings.sourceBreakerWaitSeconds * 1000) throw error;
        await control.check();
      }
      log.warn(
        { jobId: message.job_id, stream, waitMs, err: error },
        'breaker open; waiting before resuming the stream',
      );
      await sleep(waitMs);
      await reloadPositions().catch(() => undefined);
    }
  }
}

/**
 * Sends one page to the backend: one call, or for a page too large for one body (more than
 * 500 records, or a 413) several, with the checkpoint only on the last so the cursor never
 * runs ahead of a part not yet stored.
 */
async function storePage(
  deps: ExtractDeps,
  message: ExtractMessage,
  stream: StreamName,
  page: Page,
  checkpoint: PageBody['checkpoint'],
  tally: StreamTally,
): Promise<void> {
  const records = page.records.map((record) => ({
    external_id: record.externalId,
    raw_data: record.rawData,
    extraction_metadata: record.metadata,
  }));
  const results = await storeInParts(
    records,
    STORE_BATCH,
    async (part, last): Promise<RawBatchItemResult[]> => {
      const answer = await deps.backend.storePage(message.tenant_id, message.job_id, {
        stream,
        entity_type: page.entityType,
        records: part,
        progress: tally.value,
        page_complete: last,
        ...(last && checkpoint ? { checkpoint } : {}),
      });
      tally.follow(answer.progress);
      return answer.records;
    },
  );
  // Refused records are the records' problem: the backend counted and archived them; logged here.
  settleStoredBatch(results, { jobId: message.job_id, entityType: page.entityType, logger: deps.logger });
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
      await backend
        .markCancelled(tenantId, jobId)
        .catch((e: unknown) => log.warn({ err: e, jobId }, 'could not mark cancelled'));
    }
    log.info({ jobId, reason: error.reason }, 'extraction stopped');
    return;
  }
  if (error instanceof BackendUnavailableError || isBackendTrouble(error)) {
    await backend
      .pauseJob(tenantId, jobId, `paused: ${error.message}`)
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
