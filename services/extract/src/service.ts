import type { FastifyInstance } from 'fastify';
import { extractMessageSchema, type ExtractMessage } from '@tributary/contracts';
import { createLogger, type Logger } from '@tributary/observability';
import { connect, Publisher, retryTiersFromMs, type Consumer } from '@tributary/queue';
import { createGovernor, type RateLimitGovernor } from '@tributary/resilience';
import { consume } from '@tributary/queue';
import type { ExtractConfig } from './config.ts';
import { createExtractBreakers } from './breakers.ts';
import { BackendClient } from './backend-client.ts';
import { buildExtractApp } from './app.ts';
import { runExtractJob } from './jobs/run-extract-job.ts';
import { createOutboundGuard, type OutboundPolicy } from '@tributary/netguard';

export interface RunningExtractService {
  app: FastifyInstance;
  stop: () => Promise<void>;
}

/**
 * The extract service: consumes `etl.extract` (a job per message), serves its
 * HTTP side, and keeps one breaker registry and one rate-limit governor per
 * integration for the life of the process.
 */
export async function startExtractService(
  config: ExtractConfig,
  logger: Logger = createLogger('extract', { level: config.LOG_LEVEL }),
  /** Tests inject a resolver here (`{ resolve }`) to stage DNS rebinding; see tests/security/README.md. */
  outbound: Partial<OutboundPolicy> = {},
): Promise<RunningExtractService> {
  const guard = createOutboundGuard({
    allowPrivateHosts: config.ALLOW_PRIVATE_INTEGRATION_HOSTS,
    ...outbound,
  });
  const breakers = createExtractBreakers(config, logger);
  const governors = new Map<number, RateLimitGovernor>();
  const governorFor = (integrationId: number) => {
    let governor = governors.get(integrationId);
    if (!governor) {
      governor = createGovernor({
        name: `integration:${integrationId}`,
        concurrency: config.SOURCE_CONCURRENCY,
        logger,
      });
      governors.set(integrationId, governor);
    }
    return governor;
  };
  const backend = new BackendClient({
    baseUrl: config.BACKEND_URL,
    serviceToken: config.TRIBUTARY_SERVICE_TOKEN,
    breaker: breakers.get('backend'),
  });
  const connection = await connect({
    url: config.AMQP_URL,
    prefix: config.QUEUE_PREFIX,
    retryTiers: retryTiersFromMs(config.RETRY_TIERS_MS),
    logger,
    name: 'tributary-extract',
  });
  // The consumer's publisher (retry tiers, dead letters); transform messages are the backend's to publish.
  const publisher = new Publisher(connection, { logger });
  const deps = {
    backend,
    breakers,
    governorFor,
    logger,
    guard,
    settings: {
      heartbeatSeconds: config.HEARTBEAT_SECONDS,
      backendDownPauseSeconds: config.BACKEND_DOWN_PAUSE_SECONDS,
      sourceBreakerWaitSeconds: config.SOURCE_BREAKER_WAIT_SECONDS,
      sourceRetry: {
        retries: config.SOURCE_RETRIES,
        baseMs: config.SOURCE_RETRY_BASE_MS,
        capMs: config.SOURCE_RETRY_CAP_MS,
      },
      sourceTimeoutMs: config.SOURCE_TIMEOUT_MS,
      maxResponseBytes: config.SOURCE_MAX_RESPONSE_BYTES,
      maxTakeoverWaitSeconds: config.TAKEOVER_WAIT_SECONDS,
      pagesInFlight: config.EXTRACT_PAGES_IN_FLIGHT,
      streamConcurrency: config.EXTRACT_STREAM_CONCURRENCY,
      githubStatusConcurrency: config.GITHUB_STATUS_CONCURRENCY,
    },
    activeJobs: new Set<number>(),
  };
  const consumer: Consumer<ExtractMessage> = await consume<ExtractMessage>({
    connection,
    publisher,
    queue: connection.names.extract,
    schema: extractMessageSchema,
    prefetch: config.EXTRACT_CONCURRENCY,
    maxAttempts: config.EXTRACT_MAX_ATTEMPTS,
    logger,
    // A job can run for a long time; stopping waits for it to reach a safe point.
    stopTimeoutMs: 60_000,
    handler: async (message, context) =>
      runExtractJob(
        {
          ...deps,
          logger: logger.child({
            jobId: message.job_id,
            tenantId: message.tenant_id,
            correlationId: context.correlationId,
          }),
        },
        message,
      ),
  });
  const app = buildExtractApp({
    logger,
    extractToken: config.TRIBUTARY_EXTRACT_TOKEN,
    adminToken: config.TRIBUTARY_ADMIN_TOKEN,
    guard,
    maxResponseBytes: config.SOURCE_MAX_RESPONSE_BYTES,
    breakers,
    backend,
    connection,
    governorFor,
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  return {
    app,
    stop: async () => {
      await consumer.stop();
      await app.close();
      await publisher.close();
      await connection.close();
      for (const governor of governors.values()) governor.close();
      await guard.close();
      breakers.shutdown();
    },
  };
}
