import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { hearPoolErrors } from '@tributary/db';
import { pino } from 'pino';
import { buildApp, loadConfig, type BackendConfig } from '@tributary/backend';
import { REDACTED_PATHS } from '@tributary/observability';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { inject } from 'vitest';
import amqp from 'amqplib';
import { deleteTopology, Publisher, QueueConnection, retryTiersFromMs } from '@tributary/queue';
import type { Logger } from '@tributary/observability';

/** Short delay tiers so tests walk through retries quickly. */
export const TEST_RETRY_TIERS_MS = '200,400,800';

/** Valid integration bodies; the base URL is never called by these tests. */
export const TEST_INTEGRATIONS = {
  jira: {
    type: 'jira',
    name: 'Jira',
    base_url: 'http://127.0.0.1:8090',
    credentials: { email: 'a@b.co', api_token: 'secret' },
    config: { projects: ['EX'] },
  },
  github: {
    type: 'github',
    name: 'GitHub',
    base_url: 'http://127.0.0.1:8090',
    credentials: { token: 't' },
    config: { repositories: ['a/b'] },
  },
} as const;

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const SERVICE_TOKEN = 'test-service-token-0123456789';
/** What the backend presents to the extract service (the other direction). */
export const EXTRACT_TOKEN = 'test-extract-token-0123456789';

export interface TestBackend {
  app: FastifyInstance;
  config: BackendConfig;
  database: TestDatabase;
  /** A pool onto the test database for assertions. */
  pool: pg.Pool;
  /** Every log line the app wrote, for secret-leak checks. */
  logs: string[];
  createTenant: (name?: string) => Promise<{ id: number; token: string }>;
  /** A Jira or GitHub integration of the tenant (not enabled); `overrides` replace body fields. */
  createIntegration: (
    token: string,
    type: 'jira' | 'github',
    overrides?: Record<string, unknown>,
  ) => Promise<number>;
  close: () => Promise<void>;
}

export function testEnv(databaseUrl: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    AMQP_URL: inject('amqpUrl'),
    TRIBUTARY_ADMIN_TOKEN: ADMIN_TOKEN,
    TRIBUTARY_SERVICE_TOKEN: SERVICE_TOKEN,
    TRIBUTARY_EXTRACT_TOKEN: EXTRACT_TOKEN,
    TRIBUTARY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ALLOW_PRIVATE_INTEGRATION_HOSTS: 'true',
    LOG_LEVEL: 'info',
    QUEUE_PREFIX: `t_${randomBytes(4).toString('hex')}.`,
    RETRY_TIERS_MS: TEST_RETRY_TIERS_MS,
    // Tests send many bad tokens on purpose; the limit has its own test (tests/security).
    AUTH_FAILURES_PER_MINUTE: '100000',
    ...overrides,
  };
}

/** The backend app on a fresh database, driven through `app.inject` (real HTTP parsing, no socket). */
export async function startTestBackend(overrides: Record<string, string> = {}): Promise<TestBackend> {
  const database = await createTestDatabase();
  const config = loadConfig(testEnv(database.url, overrides));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  const app = await buildApp(config, { logger });
  // Heard errors: the database is dropped WITH (FORCE) at close, and an idle client must not crash the run.
  const pool = hearPoolErrors(new pg.Pool({ connectionString: database.url, max: 4 }));
  return {
    app,
    config,
    database,
    pool,
    logs,
    createTenant: async (name = 'acme') => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: { name },
      });
      if (response.statusCode !== 201) throw new Error(`tenant creation failed: ${response.body}`);
      return response.json<{ id: number; token: string }>();
    },
    createIntegration: async (token, type, overrides = {}) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/integrations',
        headers: bearer(token),
        payload: { ...TEST_INTEGRATIONS[type], ...overrides },
      });
      if (response.statusCode !== 201) throw new Error(`integration creation failed: ${response.body}`);
      return response.json<{ id: number }>().id;
    },
    close: async () => {
      await app.close();
      await pool.end();
      await database.drop();
      await deleteQueues(config.AMQP_URL, config.QUEUE_PREFIX, config.RETRY_TIERS_MS);
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const service = (tenantId: number) => ({ ...bearer(SERVICE_TOKEN), 'x-tenant-id': String(tenantId) });

/** Deletes a test prefix's queues and exchanges from the shared broker. */
export async function deleteQueues(url: string, prefix: string, tiersMs: string): Promise<void> {
  if (!prefix) return;
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    await deleteTopology(channel, { prefix, retryTiers: retryTiersFromMs(tiersMs) });
  } finally {
    await connection.close();
  }
}

export interface BackendQueues {
  connection: QueueConnection;
  publisher: Publisher;
  /** Closes the publisher, then the connection. */
  close: () => Promise<void>;
}

/** A connection and a publisher on a test backend's queues (its prefix and retry tiers), as its scheduler publishes. */
export async function openBackendQueues(config: BackendConfig, logger: Logger): Promise<BackendQueues> {
  const connection = await new QueueConnection({
    url: config.AMQP_URL,
    prefix: config.QUEUE_PREFIX,
    retryTiers: retryTiersFromMs(config.RETRY_TIERS_MS),
    logger,
  }).start();
  const publisher = new Publisher(connection, { logger });
  return {
    connection,
    publisher,
    close: async () => {
      await publisher.close();
      await connection.close();
    },
  };
}
