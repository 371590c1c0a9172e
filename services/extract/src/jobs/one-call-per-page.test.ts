/**
 * A pipelined run (pages read ahead, streams side by side) makes one backend call per source page,
 * counted from the backend's own request log, and stores everything the source has: the cursor
 * of each page saved with it, the transform messages published by the backend alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBreakerRegistry, createGovernor } from '@tributary/resilience';
import { createLogger } from '@tributary/observability';
import { startSimulator, type RunningSimulator, type TruthSummary } from '@tributary/simulator';
import { SERVICE_TOKEN, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { BackendClient } from '../backend-client.ts';
import { simulatorGuard } from '../http/testing.ts';
import { runExtractJob } from './run-extract-job.ts';
import { TEST_RUN_SETTINGS } from './testing.ts';

const logger = createLogger('extract', { level: 'silent' });
let backend: TestBackend;
let sim: RunningSimulator;
let baseUrl: string;
let tenantId: number;
let integrationId: number;
let truth: TruthSummary;

beforeAll(async () => {
  // 250 issues: three pages of the issues stream, beside the three small streams.
  sim = await startSimulator({ seed: 14, jira: { projects: 1, issues: 250 } });
  truth = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
  backend = await startTestBackend({ SCHEDULER_ENABLED: 'false' });
  baseUrl = await backend.app.listen({ port: 0, host: '127.0.0.1' });
  const tenant = await backend.createTenant();
  tenantId = tenant.id;
  integrationId = await backend.createIntegration(tenant.token, 'jira', {
    base_url: sim.url,
    credentials: { email: 'sim@example.com', api_token: 'sim-token' },
    config: { projects: truth.jira.projects },
  });
});
afterAll(async () => {
  await backend?.close();
  await sim?.close();
});

const accessLine = z.object({
  msg: z.literal('request completed'),
  req: z.object({ method: z.string(), url: z.string() }),
});

/**
 * The backend's access log, as `METHOD path` (ids as `:id`) → count, from line `from` on. Heartbeats
 * are left out: they are the pause/cancel check, at most one a second whatever the pages.
 */
function callsSince(from: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of backend.logs.slice(from)) {
    const parsed = accessLine.safeParse(JSON.parse(line));
    if (!parsed.success) continue;
    const key = `${parsed.data.req.method} ${parsed.data.req.url.replace(/\/\d+/g, '/:id')}`;
    if (key.endsWith('/heartbeat')) continue;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('a pipelined Jira run', () => {
  it('makes one backend call per page and stores everything the source has', async () => {
    const streams = ['projects', 'statuses', 'issue_types', 'issues'] as const;
    const { rows } = await backend.pool.query<{ id: number }>(
      `insert into etl_jobs (tenant_id, integration_id, streams, mode) values ($1, $2, $3::jsonb, 'full') returning id`,
      [tenantId, integrationId, JSON.stringify(streams)],
    );
    const jobId = Number(rows[0]!.id);
    const logStart = backend.logs.length;
    const breakers = createBreakerRegistry();
    try {
      await runExtractJob(
        {
          backend: new BackendClient({
            baseUrl,
            serviceToken: SERVICE_TOKEN,
            breaker: breakers.get('backend'),
            retry: { retries: 0, baseMs: 10, capMs: 10 },
          }),
          breakers,
          governorFor: () => createGovernor({ concurrency: 4 }),
          logger,
          guard: simulatorGuard,
          settings: {
            ...TEST_RUN_SETTINGS,
            // No heartbeat during the run: every call counted below is one the run itself needs.
            heartbeatSeconds: 3600,
            pagesInFlight: 3,
            streamConcurrency: 4,
          },
        },
        {
          v: 1,
          tenant_id: tenantId,
          integration_id: integrationId,
          job_id: jobId,
          source: 'jira',
          mode: 'full',
          streams: [...streams],
        },
      );
    } finally {
      breakers.shutdown();
    }
    const { rows: jobs } = await backend.pool.query<{
      status: string;
      error: string | null;
      progress: Record<string, { pages: number }>;
    }>('select status, error, progress from etl_jobs where id = $1', [jobId]);
    expect(jobs[0]).toMatchObject({ status: 'RUNNING', error: null });
    const pages = streams.reduce((sum, stream) => sum + (jobs[0]!.progress[stream]?.pages ?? 0), 0);
    expect(jobs[0]!.progress.issues?.pages).toBeGreaterThanOrEqual(3);

    // Besides the run's start and end, the pages calls and nothing else: no cursor, progress or raw-data calls.
    expect(callsSince(logStart)).toEqual({
      'POST /internal/v1/jobs/:id/claim': 1,
      'GET /internal/v1/integrations/:id': 1,
      'POST /internal/v1/jobs/:id/pages': pages,
      'POST /internal/v1/jobs/:id/extraction-finished': 1,
    });

    const { rows: stored } = await backend.pool.query<{ entity_type: string; n: number }>(
      `select entity_type, count(distinct external_id)::int as n from raw_extraction_data where job_id = $1 group by entity_type`,
      [jobId],
    );
    expect(Object.fromEntries(stored.map((r) => [r.entity_type, r.n]))).toMatchObject({
      jira_projects: truth.jira.projects.length,
      jira_issues: truth.jira.issues,
    });
    // Every stored row's transform message was published (by the backend) and confirmed.
    const { rows: unpublished } = await backend.pool.query(
      'select 1 from raw_outbox where job_id = $1 and published_at is null',
      [jobId],
    );
    expect(unpublished).toEqual([]);
  });
});
