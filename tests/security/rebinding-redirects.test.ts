// Finding 2: the address was checked once, at save time, never at connect time (DNS rebinding);
// redirects were followed anywhere; the base URL and repository names could pick the request
// path; the connection test told closed ports from open ones.
//
// How the resolver is injected: the backend takes `buildApp(config, { resolve })`, the extractor
// `createOutboundGuard({ resolve })` (a whole service: `startExtractService(config, logger,
// { resolve })`). The test host name exists only in these resolvers, so nothing reaches it through
// the system's DNS, and it is on the backend's INTEGRATION_HOST_ALLOWLIST.
import { createServer as createTcpServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp, loadConfig } from '@tributary/backend';
import { createLogger } from '@tributary/observability';
import { connect, retryTiersFromMs, type QueueConnection } from '@tributary/queue';
import { createBreakerRegistry, createGovernor } from '@tributary/resilience';
import { startSimulator, type RunningSimulator } from '@tributary/simulator';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { hearPoolErrors } from '@tributary/db';
import {
  ADMIN_TOKEN,
  bearer,
  deleteQueues,
  SERVICE_TOKEN,
  TEST_INTEGRATIONS,
  testEnv,
} from '../support/backend.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { BackendClient } from '../../services/extract/src/backend-client.ts';
import { createOutboundGuard } from '@tributary/netguard';
import { createSourceClient } from '../../services/extract/src/http/source-client.ts';
import { runExtractJob } from '../../services/extract/src/jobs/run-extract-job.ts';
import {
  PUBLIC_ADDRESS,
  runAsTested,
  simulatorRequests,
  stagedResolver,
  startServer,
  startTestExtract,
  TEST_HOST,
  type TestExtract,
} from './support.ts';
import { anyOf } from '../support/matchers.ts';
import { TEST_RUN_SETTINGS } from '../../services/extract/src/jobs/testing.ts';

let sim: RunningSimulator;
let extract: TestExtract;
let database: TestDatabase;
let backend: FastifyInstance;
let backendUrl: string;
let pool: pg.Pool;
let tenant: { id: number; token: string };
let queue: QueueConnection;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sim = await startSimulator({ seed: 2, jira: { projects: 1, issues: 2 }, github: { repos: 1, prs: 2 } });
  // The extractor's view of the name: loopback (what a rebinding DNS server answers at run time).
  extract = await startTestExtract({
    allowPrivateHosts: false,
    resolve: stagedResolver(() => ['127.0.0.1']),
  });
  database = await createTestDatabase();
  env = testEnv(database.url, {
    ALLOW_PRIVATE_INTEGRATION_HOSTS: 'false',
    INTEGRATION_HOST_ALLOWLIST: TEST_HOST,
    EXTRACT_URL: extract.url,
    SCHEDULER_ENABLED: 'false',
  });
  // The backend's view at creation time: a public address.
  backend = await buildApp(loadConfig(env), {
    logger: createLogger('test', { level: 'silent' }),
    resolve: stagedResolver(() => [PUBLIC_ADDRESS]),
  });
  backendUrl = await backend.listen({ port: 0, host: '127.0.0.1' });
  pool = hearPoolErrors(new pg.Pool({ connectionString: database.url, max: 2 }));
  const created = await backend.inject({
    method: 'POST',
    url: '/api/v1/tenants',
    headers: bearer(ADMIN_TOKEN),
    payload: { name: 'a' },
  });
  tenant = created.json();
  queue = await connect({
    url: inject('amqpUrl'),
    prefix: env.QUEUE_PREFIX,
    retryTiers: retryTiersFromMs(env.RETRY_TIERS_MS!),
    logger: createLogger('test', { level: 'silent' }),
  });
});
afterAll(async () => {
  await queue?.close();
  await backend?.close();
  await pool?.end();
  await database?.drop();
  await deleteQueues(inject('amqpUrl'), env.QUEUE_PREFIX!, env.RETRY_TIERS_MS!);
  await extract?.close();
  await sim?.close();
});

const createGithub = (overrides: Record<string, unknown>) =>
  backend.inject({
    method: 'POST',
    url: '/api/v1/integrations',
    headers: bearer(tenant.token),
    payload: { ...TEST_INTEGRATIONS.github, credentials: { token: 'sim-github-token' }, ...overrides },
  });

describe('DNS rebinding: a name public at creation, loopback at run time', () => {
  const rebindingUrl = () => `http://${TEST_HOST}:${new URL(sim.url).port}`;

  it('is saved (it resolved public), then the connection test is refused by policy and reaches nothing', async () => {
    const created = await createGithub({ base_url: rebindingUrl() });
    expect(created.statusCode).toBe(201);
    await sim.control('DELETE', '/_sim/stats');
    const tested = await backend.inject({
      method: 'POST',
      url: `/api/v1/integrations/${created.json<{ id: number }>().id}/test`,
      headers: bearer(tenant.token),
    });
    const answer = tested.json<{ ok: boolean; error: string }>();
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(
      /^refused by policy: host rebind\.tributary\.test resolves to an address integrations may not use \(loopback\)/,
    );
    expect(await simulatorRequests(sim)).toBe(0);
  });

  it('a run of it fails with the policy error and stores nothing from the internal service', async () => {
    const id = (await createGithub({ base_url: rebindingUrl(), name: 'run' })).json<{ id: number }>().id;
    // It passed its test back when the name still resolved public.
    const run = await runAsTested(backend, pool, tenant.token, id, {});
    expect(run.statusCode).toBe(202);
    const jobId = run.json<{ job_id: number }>().job_id;
    await sim.control('DELETE', '/_sim/stats');
    const logger = createLogger('test', { level: 'silent' });
    const breakers = createBreakerRegistry({ logger });
    try {
      await runExtractJob(
        {
          backend: new BackendClient({
            baseUrl: backendUrl,
            serviceToken: SERVICE_TOKEN,
            breaker: breakers.get('backend'),
          }),
          breakers,
          governorFor: () => createGovernor({ concurrency: 2 }),
          logger,
          guard: extract.guard,
          settings: TEST_RUN_SETTINGS,
        },
        {
          v: 1,
          tenant_id: tenant.id,
          integration_id: id,
          job_id: jobId,
          source: 'github',
          streams: ['repositories'],
          mode: 'incremental',
        },
      );
    } finally {
      breakers.shutdown();
    }
    const { rows } = await pool.query<{ status: string; error: string }>(
      'select status, error from etl_jobs where id = $1',
      [jobId],
    );
    expect(rows[0]!.status).toBe('FAILED');
    expect(rows[0]!.error).toContain('may not use (loopback)');
    const raw = await pool.query(
      'select count(*)::int as n from raw_extraction_data where integration_id = $1',
      [id],
    );
    expect(raw.rows[0]).toEqual({ n: 0 });
    expect(await simulatorRequests(sim)).toBe(0);
  });

  it('connects to the address the guard resolved, never resolving the name again', async () => {
    // Allowed here, so the connection happens: the name exists only in the injected resolver, so
    // reaching the simulator proves the socket went to the address that was checked.
    const guard = createOutboundGuard({
      allowPrivateHosts: true,
      resolve: stagedResolver(() => ['127.0.0.1']),
    });
    const breakers = createBreakerRegistry();
    try {
      const client = createSourceClient({
        source: 'github',
        baseUrl: rebindingUrl(),
        authorization: sim.githubAuth,
        breaker: breakers.get('g'),
        guard,
      });
      expect((await client.get('/user')).body).toMatchObject({ login: anyOf(String) });
    } finally {
      breakers.shutdown();
      await guard.close();
    }
  });
});

describe('redirects', () => {
  it('to loopback (another origin) are refused; the internal service gets nothing and the token stays home', async () => {
    const redirector = await startServer((_req, res) => {
      res.writeHead(302, { location: `${sim.url}/user` }).end();
    });
    const guard = createOutboundGuard({ allowPrivateHosts: true });
    const breakers = createBreakerRegistry();
    try {
      await sim.control('DELETE', '/_sim/stats');
      const client = createSourceClient({
        source: 'github',
        baseUrl: redirector.url,
        authorization: sim.githubAuth,
        breaker: breakers.get('r'),
        guard,
        retry: { retries: 0 },
      });
      await expect(client.get('/user')).rejects.toThrow(/redirect to another origin refused/);
      expect(await simulatorRequests(sim)).toBe(0);
    } finally {
      breakers.shutdown();
      await guard.close();
      await redirector.close();
    }
  });

  it('on the same origin are followed at most 3 times', async () => {
    let hops = 0;
    const loop = await startServer((req, res) => {
      hops++;
      if (req.url === '/end') res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else res.writeHead(302, { location: `/hop${hops}` }).end();
    });
    const guard = createOutboundGuard({ allowPrivateHosts: true });
    const breakers = createBreakerRegistry();
    try {
      const client = createSourceClient({
        source: 'jira',
        baseUrl: loop.url,
        authorization: 'Basic eDp5',
        breaker: breakers.get('l'),
        guard,
        retry: { retries: 0 },
      });
      await expect(client.get('/start')).rejects.toThrow(/more than 3 redirects/);
      expect(hops).toBe(4);
    } finally {
      breakers.shutdown();
      await guard.close();
      await loop.close();
    }
  });
});

describe('request paths are built from validated parts', () => {
  it('a base URL with a query or fragment, and a repository that walks out of /repos/, are refused naming the field', async () => {
    for (const [overrides, path] of [
      [{ base_url: `http://${TEST_HOST}/#` }, 'base_url'],
      [{ base_url: `http://${TEST_HOST}/?x=` }, 'base_url'],
      [{ base_url: `http://${TEST_HOST}/api?` }, 'base_url'],
      [{ base_url: `http://${TEST_HOST}`, config: { repositories: ['../..'] } }, 'config.repositories.0'],
      [{ base_url: `http://${TEST_HOST}`, config: { repositories: ['acme/..'] } }, 'config.repositories.0'],
      [{ base_url: `http://${TEST_HOST}`, config: { repositories: ['-acme/api'] } }, 'config.repositories.0'],
    ] as const) {
      const response = await createGithub(overrides);
      expect(`${JSON.stringify(overrides)} → ${response.statusCode}`).toBe(
        `${JSON.stringify(overrides)} → 400`,
      );
      expect(response.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe(path);
    }
  });
});

describe('the connection test is not a port scanner', () => {
  it('a closed port and an open port that does not speak HTTP give the same answer', async () => {
    const open: Server = createTcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve));
    const closed: Server = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const local = await startTestExtract({ allowPrivateHosts: true });
    try {
      const answer = async (port: number) =>
        (
          await local.app.inject({
            method: 'POST',
            url: '/internal/connection-test',
            headers: {
              authorization: `Bearer ${env.TRIBUTARY_EXTRACT_TOKEN}`,
              'content-type': 'application/json',
            },
            payload: {
              id: port,
              type: 'github',
              base_url: `http://127.0.0.1:${port}`,
              credentials: { token: 'tok' },
              config: { repositories: ['a/b'] },
            },
          })
        ).json<{ ok: boolean; error: string }>();
      const fromOpen = await answer((open.address() as AddressInfo).port);
      const fromClosed = await answer(closedPort);
      expect(fromOpen).toEqual({
        ok: false,
        code: 'SOURCE_UNREACHABLE',
        error: 'unreachable: the source did not answer as a Jira or GitHub API',
      });
      expect(fromClosed).toEqual(fromOpen);
    } finally {
      await local.close();
      open.close();
    }
  });
});
