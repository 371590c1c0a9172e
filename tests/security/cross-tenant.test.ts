// Finding 3: one tenant's trouble must not stall another tenant's extraction. Here tenant B's
// *source* is poisoned (every call answers 500) while tenant A's run goes on in the same extractor
// process with the same breaker registry, governors and backend client: source breakers and
// governors are per integration, so A's run ends complete and untouched. (B's poisoned *record*
// — one the raw-data API refuses — is the other half: issue 9 makes records fail alone and the
// `backend` breaker count only backend faults; see tests/security/README.md.)
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { hearPoolErrors } from '@tributary/db';
import type { ExtractMessage } from '@tributary/contracts';
import { buildApp, loadConfig } from '@tributary/backend';
import { createLogger } from '@tributary/observability';
import { connect, retryTiersFromMs, type QueueConnection } from '@tributary/queue';
import { createBreakerRegistry, createGovernor, type RateLimitGovernor } from '@tributary/resilience';
import { startSimulator, type RunningSimulator, type TruthSummary } from '@tributary/simulator';
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
import { runExtractJob, type ExtractDeps } from '../../services/extract/src/jobs/run-extract-job.ts';
import { runAsTested } from './support.ts';

let healthy: RunningSimulator;
let poisoned: RunningSimulator;
let database: TestDatabase;
let backend: FastifyInstance;
let pool: pg.Pool;
let queue: QueueConnection;
let deps: ExtractDeps;
let env: NodeJS.ProcessEnv;
const guard = createOutboundGuard({ allowPrivateHosts: true });
const logger = createLogger('test', { level: 'silent' });
const breakers = createBreakerRegistry({ defaults: { failureThreshold: 2 }, logger });

beforeAll(async () => {
  healthy = await startSimulator({ seed: 4, jira: { projects: 1, issues: 1 }, github: { repos: 3, prs: 2 } });
  poisoned = await startSimulator({
    seed: 5,
    jira: { projects: 1, issues: 1 },
    github: { repos: 3, prs: 2 },
  });
  await poisoned.control('POST', '/_sim/faults', { path: '**', kind: 'status', status: 500 });
  database = await createTestDatabase();
  env = testEnv(database.url, { SCHEDULER_ENABLED: 'false' });
  backend = await buildApp(loadConfig(env), { logger });
  const backendUrl = await backend.listen({ port: 0, host: '127.0.0.1' });
  pool = hearPoolErrors(new pg.Pool({ connectionString: database.url, max: 2 }));
  queue = await connect({
    url: inject('amqpUrl'),
    prefix: env.QUEUE_PREFIX,
    retryTiers: retryTiersFromMs(env.RETRY_TIERS_MS!),
    logger,
  });
  const governors = new Map<number, RateLimitGovernor>();
  deps = {
    backend: new BackendClient({
      baseUrl: backendUrl,
      serviceToken: SERVICE_TOKEN,
      breaker: breakers.get('backend'),
    }),
    breakers,
    governorFor: (id) =>
      governors.get(id) ??
      governors.set(id, createGovernor({ name: `integration:${id}`, concurrency: 2 })).get(id)!,
    logger,
    guard,
    settings: {
      heartbeatSeconds: 10,
      backendDownPauseSeconds: 30,
      sourceBreakerWaitSeconds: 1,
      sourceRetry: { retries: 1, baseMs: 10, capMs: 20 },
      sourceTimeoutMs: 5000,
      maxTakeoverWaitSeconds: 5,
    },
  };
});
afterAll(async () => {
  await queue?.close();
  await backend?.close();
  await pool?.end();
  await database?.drop();
  await deleteQueues(inject('amqpUrl'), env.QUEUE_PREFIX!, env.RETRY_TIERS_MS!);
  breakers.shutdown();
  await guard.close();
  await healthy?.close();
  await poisoned?.close();
});

async function tenantWithRun(
  name: string,
  sim: RunningSimulator,
): Promise<{ tenantId: number; integrationId: number; jobId: number }> {
  const tenant = (
    await backend.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: bearer(ADMIN_TOKEN),
      payload: { name },
    })
  ).json<{ id: number; token: string }>();
  const truth = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
  const created = await backend.inject({
    method: 'POST',
    url: '/api/v1/integrations',
    headers: bearer(tenant.token),
    payload: {
      ...TEST_INTEGRATIONS.github,
      base_url: sim.url,
      credentials: { token: 'sim-github-token' },
      config: { repositories: truth.github.repositories },
    },
  });
  const integrationId = created.json<{ id: number }>().id;
  const run = await runAsTested(backend, pool, tenant.token, integrationId, { streams: ['repositories'] });
  return { tenantId: tenant.id, integrationId, jobId: run.json<{ job_id: number }>().job_id };
}

describe("another tenant's poisoned source", () => {
  it("does not touch tenant A's run: A stores everything, its breakers stay closed, B fails alone", async () => {
    const a = await tenantWithRun('a', healthy);
    const b = await tenantWithRun('b', poisoned);
    const message = (r: typeof a): ExtractMessage => ({
      v: 1,
      tenant_id: r.tenantId,
      integration_id: r.integrationId,
      job_id: r.jobId,
      source: 'github',
      streams: ['repositories'],
      mode: 'incremental',
    });
    await Promise.all([runExtractJob(deps, message(b)), runExtractJob(deps, message(a))]);

    const jobs = await pool.query<{
      id: number;
      status: string;
      extraction_finished_at: Date | null;
      error: string | null;
    }>('select id, status, extraction_finished_at, error from etl_jobs where id = any($1) order by id', [
      [a.jobId, b.jobId],
    ]);
    const jobA = jobs.rows.find((j) => j.id === a.jobId)!;
    const jobB = jobs.rows.find((j) => j.id === b.jobId)!;
    expect(jobA.extraction_finished_at).not.toBeNull();
    expect(jobA.error).toBeNull();
    expect(jobB.status).toBe('FAILED');
    const stored = await pool.query<{ tenant_id: number; n: number }>(
      'select tenant_id, count(*)::int as n from raw_extraction_data group by tenant_id order by tenant_id',
    );
    expect(stored.rows).toEqual([{ tenant_id: a.tenantId, n: 3 }]);

    const status = new Map(breakers.status().map((s) => [s.name, s]));
    expect(status.get(`github:${a.integrationId}`)).toMatchObject({ state: 'CLOSED', failures: 0 });
    expect(status.get('backend')).toMatchObject({ state: 'CLOSED', failures: 0 });
    expect(status.get(`github:${b.integrationId}`)?.failures).toBeGreaterThan(0);
  });
});
