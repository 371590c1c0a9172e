import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createMetricsRegistry,
  readiness,
  quietLogController,
  registerRequestLogging,
  type Logger,
  Gauge,
} from '@tributary/observability';
import type { QueueConnection } from '@tributary/queue';
import type { BreakerRegistry, RateLimitGovernor } from '@tributary/resilience';
import {
  bearerToken,
  configSchemaFor,
  credentialsSchemaFor,
  issueDetails,
  secretsEqual,
} from '@tributary/contracts';
import type { BackendClient } from './backend-client.ts';
import { buildSourceClient, createConnector } from './connectors/index.ts';
import { classifyError, secretsOf } from './errors/classify.ts';
import { registerSourceMetrics } from './source-metrics.ts';
import { toConnectorIntegration } from './jobs/run-extract-job.ts';
import type { OutboundGuard } from '@tributary/netguard';
import { connectionTestFailure } from './http/test-error.ts';

export interface ExtractAppDeps {
  logger: Logger;
  /** What the backend presents to us (`TRIBUTARY_EXTRACT_TOKEN`); not the token we present to it. */
  extractToken: string;
  /** The operator's token, also admitted to the breaker endpoints when set. */
  adminToken?: string;
  guard: OutboundGuard;
  maxResponseBytes?: number;
  breakers: BreakerRegistry;
  backend: BackendClient;
  connection: QueueConnection;
  governorFor: (integrationId: number) => RateLimitGovernor;
}

const connectionTestBodySchema = z.object({
  id: z.number().int().positive(),
  type: z.enum(['jira', 'github']),
  base_url: z.url(),
  credentials: z.record(z.string(), z.unknown()),
  config: z.record(z.string(), z.unknown()),
});

const STATE_VALUE = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 } as const;

/** The extract service's HTTP side: health, metrics, breakers, and the connection test the backend calls. */
export function buildExtractApp(deps: ExtractAppDeps): FastifyInstance {
  // pino's Logger is a FastifyBaseLogger; the cast keeps the app's default generic type (tsc needs it).
  const app: FastifyInstance = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    logController: quietLogController(),
  });
  registerRequestLogging(app);
  const registry = createMetricsRegistry('extract');
  registerSourceMetrics(registry);
  new Gauge({
    name: 'tributary_breaker_state',
    help: 'Circuit breaker state per target (0 closed, 1 half-open, 2 open)',
    labelNames: ['breaker'],
    registers: [registry],
    collect() {
      for (const status of deps.breakers.status())
        this.set({ breaker: status.name }, STATE_VALUE[status.state]);
    },
  });

  const requireService = (authorization: string | undefined) => {
    const token = bearerToken(authorization);
    return token !== undefined && secretsEqual(token, deps.extractToken);
  };
  const requireServiceOrAdmin = (authorization: string | undefined) => {
    const token = bearerToken(authorization);
    const admin = deps.adminToken;
    return (
      requireService(authorization) ||
      (token !== undefined && admin !== undefined && secretsEqual(token, admin))
    );
  };
  const unauthorized = { error: { code: 'UNAUTHENTICATED', message: 'the service token is required' } };

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    // An open source breaker does not make the extractor unready: its runs wait and resume.
    const report = await readiness(
      [
        {
          name: 'broker',
          check: async () => {
            if (!deps.connection.isConnected) throw new Error('not connected to RabbitMQ');
          },
        },
        { name: 'backend', check: () => deps.backend.ping() },
      ],
      () => Object.fromEntries(deps.breakers.status().map((b) => [b.name, b.state])),
    );
    return reply.status(report.ok ? 200 : 503).send(report.body);
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  // Breaker names and last errors cover every tenant's integrations: service or admin only
  // (a tenant sees its own through the backend's GET /api/v1/integrations/:id/breaker).
  app.get('/breakers', async (request, reply) => {
    if (!requireServiceOrAdmin(request.headers.authorization)) return reply.status(401).send(unauthorized);
    return { breakers: deps.breakers.status() };
  });
  app.post<{ Params: { name: string } }>('/breakers/:name/reset', async (request, reply) => {
    if (!requireServiceOrAdmin(request.headers.authorization)) return reply.status(401).send(unauthorized);
    if (!deps.breakers.reset(request.params.name)) {
      return reply
        .status(404)
        .send({ error: { code: 'NOT_FOUND', message: `breaker ${request.params.name} not found` } });
    }
    return { reset: request.params.name };
  });

  app.post('/internal/connection-test', async (request, reply) => {
    if (!requireService(request.headers.authorization)) return reply.status(401).send(unauthorized);
    const parsed = connectionTestBodySchema.safeParse(request.body);
    if (!parsed.success) {
      const [issue] = issueDetails(parsed.error.issues);
      return reply.status(400).send({
        error: { code: 'VALIDATION_FAILED', message: `invalid ${issue?.path}: ${issue?.message}` },
      });
    }
    // Credentials or config of the wrong shape for the type are the caller's mistake: name the field.
    for (const [field, schema] of [
      ['credentials', credentialsSchemaFor[parsed.data.type]],
      ['config', configSchemaFor[parsed.data.type]],
    ] as const) {
      const checked = schema.safeParse(parsed.data[field]);
      const [issue] = issueDetails(checked.error?.issues ?? [], [field]);
      if (issue) {
        return reply
          .status(400)
          .send({ error: { code: 'VALIDATION_FAILED', message: `invalid ${issue.path}: ${issue.message}` } });
      }
    }
    const integration = toConnectorIntegration(parsed.data);
    try {
      // A test gets a short retry budget: a person is waiting for the answer.
      const client = buildSourceClient(integration, {
        registry: deps.breakers,
        governor: deps.governorFor(parsed.data.id),
        retry: { retries: 1, baseMs: 500, capMs: 2000 },
        attemptTimeoutMs: 15_000,
        guard: deps.guard,
        maxResponseBytes: deps.maxResponseBytes,
      });
      await createConnector(integration, client).testConnection(AbortSignal.timeout(45_000));
      return { ok: true };
    } catch (error) {
      const failure = classifyError(error, {
        source: integration.type,
        baseUrl: integration.baseUrl,
        secrets: secretsOf(integration.credentials),
      });
      // The code always; the source's words only where they name what to fix (not a port scanner).
      return { ok: false, ...connectionTestFailure(error, failure) };
    }
  });
  return app;
}
