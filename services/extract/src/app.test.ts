import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startSimulator } from '@tributary/simulator';
import { createLogger } from '@tributary/observability';
import { QueueConnection } from '@tributary/queue';
import { createBreakerRegistry, createGovernor, breakerConfigFromEnv } from '@tributary/resilience';
import { BackendClient } from './backend-client.ts';
import { buildExtractApp } from './app.ts';
import { simulatorGuard } from './http/testing.ts';

const SERVICE_TOKEN = 'extract-test-service-token';
let sim: Awaited<ReturnType<typeof startSimulator>>;
let app: FastifyInstance;
let connection: QueueConnection;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, jira: { projects: 1, issues: 5 }, github: { repos: 1, prs: 2 } });
  const logger = createLogger('test', { level: 'silent' });
  const breakers = createBreakerRegistry({ defaults: breakerConfigFromEnv({}), logger });
  // Never started: the connection test does not touch the broker.
  connection = new QueueConnection({ url: 'amqp://127.0.0.1:1', logger });
  app = buildExtractApp({
    logger,
    extractToken: SERVICE_TOKEN,
    guard: simulatorGuard,
    breakers,
    backend: new BackendClient({ baseUrl: 'http://127.0.0.1:1', serviceToken: SERVICE_TOKEN, breaker: breakers.get('backend') }),
    connection,
    governorFor: () => createGovernor({ concurrency: 2 }),
  });
});
afterAll(async () => {
  await app.close();
  await connection.close();
  await sim.close();
});

const test = (body: unknown, token = SERVICE_TOKEN) =>
  app.inject({
    method: 'POST',
    url: '/internal/connection-test',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

const jira = () => ({
  id: 1,
  type: 'jira',
  base_url: sim.url,
  credentials: { email: 'sim@example.com', api_token: 'sim-token' },
  config: { projects: ['A'] },
});

describe('POST /internal/connection-test', () => {
  it('reaches the source with the given credentials', async () => {
    expect((await test(jira())).json()).toEqual({ ok: true });
    const github = await test({ id: 2, type: 'github', base_url: sim.url, credentials: { token: 'sim-github-token' }, config: { repositories: ['nobody/missing'] } });
    expect(github.json<{ ok: boolean; error: string }>()).toMatchObject({ ok: false });
    expect(github.json<{ error: string }>().error).toContain('nobody/missing');
  });

  it('reports rejected credentials by their source', async () => {
    const answer = await test({ ...jira(), credentials: { email: 'sim@example.com', api_token: 'wrong' } });
    expect(answer.json()).toEqual({ ok: false, error: 'credentials rejected by jira' });
  });

  it('answers 401 without the service token and 400 naming the field for a bad body', async () => {
    expect((await test(jira(), 'not-the-token')).statusCode).toBe(401);
    const missing = await test({ ...jira(), base_url: undefined });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ error: { message: string } }>().error.message).toContain('base_url');
    const wrongType = await test({ ...jira(), type: 'gitlab' });
    expect(wrongType.json<{ error: { message: string } }>().error.message).toContain('type');
    const badCredentials = await test({ ...jira(), credentials: { email: 42, api_token: 'x' } });
    expect(badCredentials.statusCode).toBe(400);
    expect(badCredentials.json<{ error: { message: string } }>().error.message).toContain('credentials.email');
    const badConfig = await test({ ...jira(), config: { projects: 'A' } });
    expect(badConfig.statusCode).toBe(400);
    const malformed = await app.inject({
      method: 'POST',
      url: '/internal/connection-test',
      headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' },
      payload: '{"id": 1,',
    });
    expect(malformed.statusCode).toBe(400);
  });
});
