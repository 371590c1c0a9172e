import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { createDatabase, createPool } from '@tributary/db';
import {
  createLogger,
  createMetricsRegistry,
  quietLogController,
  registerRequestLogging,
  type HealthCheck,
  type Logger,
} from '@tributary/observability';
import type { BackendConfig } from './config.ts';
import { CredentialsCipher } from './security/credentials-cipher.ts';
import { registerAuth } from './plugins/auth.ts';
import { registerErrorHandler } from './plugins/error-handler.ts';
import { registerOpsMetrics } from './observability/ops-metrics.ts';
import { registerJobDurationMetrics } from './observability/job-metrics.ts';
import { registerNotificationRoutes } from './notifications/routes.ts';
import { readSourceBreakers, startNotifier } from './notifications/notifier.ts';
import { registerHealthRoutes } from './api/health.ts';
import { registerTenantRoutes } from './api/tenants.ts';
import { registerConnectionTestRoute, registerIntegrationRoutes } from './api/integrations.ts';
import { registerRunRoutes } from './api/runs.ts';
import { registerInternalRoutes } from './api/internal.ts';
import { registerPageRoutes } from './api/pages.ts';
import { startScheduler } from './orchestration/scheduler.ts';
import { registerRawDataRoutes } from './api/raw-data.ts';
import { registerJobRoutes } from './api/jobs.ts';
import { FlowSummaryKicker } from './metrics/flow-summary-kick.ts';
import type { RouteContext } from './api/route-context.ts';
import { registerDeadLetterRoutes } from './api/dead-letters.ts';
import { registerSecurityAdminRoutes } from './api/security-admin.ts';
import { registerFlowRoutes } from './api/flow.ts';
import { registerMetricRoutes } from './api/metrics.ts';
import { QueueConnection, Publisher, retryTiersFromMs } from '@tributary/queue';
import { UpstreamUnavailableError } from './errors.ts';
import { createOutboundGuard, type Resolver } from '@tributary/netguard';
import { LiveEvents } from './events/live-events.ts';
import { registerEventsRoute } from './events/events-route.ts';
import { registerSystemRoutes } from './api/system.ts';
import { DEFAULT_DASHBOARD_DIR, registerDashboard } from './plugins/dashboard-static.ts';

export interface BuildOptions {
  logger?: Logger;
  /** Use this broker connection instead of opening one (it is then not closed with the app). */
  queue?: { connection: QueueConnection; publisher: Publisher };
  /** Resolves integration host names (tests inject one to stage DNS rebinding); the system resolver by default. */
  resolve?: Resolver;
}

/** Ordinary API bodies are small; only the raw-data routes raise their own limit. */
const DEFAULT_BODY_LIMIT = 256 * 1024;

/** Builds the backend API: external plugins, then our hooks, then routes. Closing the app closes its pool. */
export async function buildApp(config: BackendConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger('backend', { level: config.LOG_LEVEL });
  const app: FastifyInstance = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app's default generic type (tsc needs it).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Reject __proto__ / constructor.prototype keys instead of silently dropping them.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: 'x-request-id',
    // One access line per request, at debug for internal and health routes, its path without
    // the query string (a token there must not reach the log): registerRequestLogging.
    logController: quietLogController(),
  });
  registerRequestLogging(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const pool = createPool(config.DATABASE_URL, {
    max: config.DB_POOL_MAX,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    applicationName: 'tributary-backend',
  });
  // The broker connects in the background: the API serves reads while RabbitMQ
  // is down, and routes that publish wait for it (or answer 503 via readiness).
  const queue = options.queue ?? openQueue(config, logger);
  const ctx: RouteContext = {
    pool,
    db: createDatabase(pool),
    cipher: new CredentialsCipher(config.TRIBUTARY_ENCRYPTION_KEY, config.TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS),
    config,
    requireQueue: () => {
      if (queue.connection.isClosed)
        throw new UpstreamUnavailableError('the message broker connection is closed');
      return queue;
    },
    resolve: options.resolve,
    flowSummaries: new FlowSummaryKicker(pool, logger),
  };
  // First, so a refresh still running finishes before the pool closes (onClose hooks run in order).
  app.addHook('onClose', async () => ctx.flowSummaries.close());

  await app.register(swagger, {
    openapi: {
      info: { title: 'Tributary backend', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // The API description is public; set before swagger-ui adds its routes.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, auth: 'public' };
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  registerErrorHandler(app);
  // Not global: only authentication failures are counted (plugins/auth.ts).
  await app.register(rateLimit, { global: false });
  registerAuth(app, {
    pool,
    adminToken: config.TRIBUTARY_ADMIN_TOKEN,
    serviceToken: config.TRIBUTARY_SERVICE_TOKEN,
    failuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
  });

  const checks: HealthCheck[] = [
    { name: 'database', check: () => pool.query('select 1') },
    {
      name: 'broker',
      check: async () => {
        if (!queue.connection.isConnected) throw new Error('not connected to RabbitMQ');
        return { blocked: queue.connection.isBlocked };
      },
    },
  ];
  const registry = createMetricsRegistry('backend');
  registerOpsMetrics(registry, pool, () => queue.connection);
  registerJobDurationMetrics(registry, pool);
  registerHealthRoutes(app, checks, registry);
  registerTenantRoutes(app, ctx);
  registerIntegrationRoutes(app, ctx);
  registerRawDataRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerDeadLetterRoutes(app, ctx);
  registerConnectionTestRoute(app, ctx);
  registerRunRoutes(app, ctx);
  registerInternalRoutes(app, ctx);
  registerPageRoutes(app, ctx);
  registerSecurityAdminRoutes(app, ctx);
  registerFlowRoutes(app, ctx);
  registerMetricRoutes(app, ctx);

  // The dashboard: live channel, the health it polls without one, and its static files.
  const live = new LiveEvents({
    databaseUrl: config.DATABASE_URL,
    pool,
    queue: queue.connection,
    extractUrl: config.EXTRACT_URL,
    extractToken: config.TRIBUTARY_EXTRACT_TOKEN,
    logger,
    healthIntervalMs: config.EVENTS_HEALTH_INTERVAL_SECONDS * 1000,
  });
  await registerEventsRoute(app, {
    pool,
    adminToken: config.TRIBUTARY_ADMIN_TOKEN,
    live,
    recheckMs: config.EVENTS_TOKEN_RECHECK_SECONDS * 1000,
  });
  registerSystemRoutes(app, ctx, live);
  await registerDashboard(app, config.DASHBOARD_DIR || DEFAULT_DASHBOARD_DIR);
  app.addHook('onClose', async () => live.close());
  registerNotificationRoutes(app, ctx);

  if (config.SCHEDULER_ENABLED) {
    const scheduler = startScheduler(
      pool,
      queue.publisher,
      logger,
      config.SCHEDULER_TICK_SECONDS,
      config.SCHEDULE_MIN_INTERVAL_MINUTES,
      config.JOB_PENDING_REPUBLISH_SECONDS ?? Math.max(120, config.SCHEDULER_TICK_SECONDS * 4),
    );
    app.addHook('onClose', async () => scheduler.stop());
    // Webhook deliveries connect through the same guard as the extractor's source calls.
    const webhookGuard = createOutboundGuard({
      allowPrivateHosts: config.ALLOW_PRIVATE_INTEGRATION_HOSTS,
      ...(options.resolve ? { resolve: options.resolve } : {}),
    });
    const notifier = startNotifier(
      {
        pool,
        urlPolicy: {
          hostAllowlist: config.INTEGRATION_HOST_ALLOWLIST,
          allowPrivateHosts: config.ALLOW_PRIVATE_INTEGRATION_HOSTS,
          ...(options.resolve ? { resolve: options.resolve } : {}),
        },
        guard: webhookGuard,
        // GET /breakers opens to the extract token (what we present to the extract service).
        sourceBreakers: () => readSourceBreakers(config.EXTRACT_URL, config.TRIBUTARY_EXTRACT_TOKEN),
        logger,
      },
      config.NOTIFY_INTERVAL_SECONDS,
    );
    app.addHook('onClose', async () => {
      await notifier.stop();
      await webhookGuard.close();
    });
  }
  // Last, so everything above has stopped using them.
  app.addHook('onClose', async () => {
    if (!options.queue) {
      await queue.publisher.close();
      await queue.connection.close();
    }
    await pool.end();
  });
  return app;
}

function openQueue(config: BackendConfig, logger: Logger) {
  const connection = new QueueConnection({
    url: config.AMQP_URL,
    prefix: config.QUEUE_PREFIX,
    retryTiers: retryTiersFromMs(config.RETRY_TIERS_MS),
    logger,
    name: 'tributary-backend',
  });
  connection
    .start()
    .catch((error: unknown) => logger.warn({ err: error }, 'broker connection not established yet'));
  return { connection, publisher: new Publisher(connection, { logger }) };
}
