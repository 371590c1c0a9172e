import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { createDatabase, createPool } from '@tributary/db';
import { createLogger, createMetricsRegistry, type HealthCheck, type Logger } from '@tributary/observability';
import type { BackendConfig } from './config.ts';
import { CredentialsCipher } from './security/credentials-cipher.ts';
import { registerAuth } from './plugins/auth.ts';
import { registerErrorHandler } from './plugins/error-handler.ts';
import { registerHealthRoutes } from './api/health.ts';
import { registerTenantRoutes } from './api/tenants.ts';
import { registerIntegrationRoutes } from './api/integrations.ts';
import { registerRawDataRoutes } from './api/raw-data.ts';
import { registerJobRoutes } from './api/jobs.ts';
import type { RouteContext } from './api/route-context.ts';

export interface BuildOptions {
  logger?: Logger;
}

/** Ordinary API bodies are small; only the raw-data routes raise their own limit. */
const DEFAULT_BODY_LIMIT = 256 * 1024;

/** Builds the backend API: external plugins, then our hooks, then routes. Closing the app closes its pool. */
export async function buildApp(config: BackendConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger('backend', { level: config.LOG_LEVEL });
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Reject __proto__ / constructor.prototype keys instead of silently dropping them.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: 'x-request-id',
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const pool = createPool(config.DATABASE_URL, {
    max: config.DB_POOL_MAX,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    applicationName: 'tributary-backend',
  });
  const ctx: RouteContext = {
    pool,
    db: createDatabase(pool),
    cipher: new CredentialsCipher(config.TRIBUTARY_ENCRYPTION_KEY, config.TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS),
    config,
  };
  app.addHook('onClose', async () => pool.end());

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
  registerAuth(app, { pool, adminToken: config.TRIBUTARY_ADMIN_TOKEN, serviceToken: config.TRIBUTARY_SERVICE_TOKEN });

  const checks: HealthCheck[] = [{ name: 'database', check: () => pool.query('select 1') }];
  registerHealthRoutes(app, checks, createMetricsRegistry('backend'));
  registerTenantRoutes(app, ctx);
  registerIntegrationRoutes(app, ctx);
  registerRawDataRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  return app;
}
