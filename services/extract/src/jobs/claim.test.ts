import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreakerRegistry } from '@tributary/resilience';
import { createLogger } from '@tributary/observability';
import { SERVICE_TOKEN, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { BackendClient } from '../backend-client.ts';
import { claimForRun, JobClaimedElsewhereError } from './claim.ts';

const logger = createLogger('extract', { level: 'silent' });
let backend: TestBackend;
let client: BackendClient;
let tenantId: number;
let integrationId: number;

beforeAll(async () => {
  // JOB_STALE_HEARTBEAT_SECONDS 30: the backend tells a second extractor to come back in ≤ 30 s.
  backend = await startTestBackend({ JOB_STALE_HEARTBEAT_SECONDS: '30' });
  await backend.app.listen({ port: 0, host: '127.0.0.1' });
  const address = backend.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  client = new BackendClient({
    baseUrl: `http://127.0.0.1:${port}`,
    serviceToken: SERVICE_TOKEN,
    breaker: createBreakerRegistry().get('backend'),
    retry: { retries: 0, baseMs: 10, capMs: 10 },
  });
  const tenant = await backend.createTenant();
  tenantId = tenant.id;
  integrationId = await backend.createIntegration(tenant.token, 'jira');
});
afterAll(async () => backend?.close());

async function pendingJob(): Promise<number> {
  await backend.pool.query(
    `update etl_jobs set status = 'CANCELLED' where integration_id = $1 and status in ('PENDING', 'RUNNING', 'PAUSED')`,
    [integrationId],
  );
  const { rows } = await backend.pool.query<{ id: number }>(
    `insert into etl_jobs (tenant_id, integration_id, streams, mode) values ($1, $2, '["issues"]', 'full') returning id`,
    [tenantId, integrationId],
  );
  return Number(rows[0]!.id);
}

describe('claiming a delivered job', () => {
  it('a job beating under another extractor is taken over at the moment its heartbeat goes stale', async () => {
    const jobId = await pendingJob();
    expect(
      await claimForRun(client, tenantId, jobId, { active: new Set(), maxTakeoverWaitMs: 60_000, logger }),
    ).toMatchObject({ kind: 'claimed' });
    // A second extractor (its own set of running jobs) gets the redelivered message.
    const pauses: number[] = [];
    const outcome = await claimForRun(client, tenantId, jobId, {
      active: new Set(),
      maxTakeoverWaitMs: 60_000,
      logger,
      // Instead of sleeping: the first extractor dies here, its heartbeat is left behind.
      wait: async (ms) => {
        pauses.push(ms);
        await backend.pool.query(
          `update etl_jobs set heartbeat_at = now() - interval '1 hour' where id = $1`,
          [jobId],
        );
      },
    });
    expect(outcome).toMatchObject({ kind: 'claimed' });
    // One wait, as long as the backend said the heartbeat had left (≤ 30 s, plus half a second).
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toBeGreaterThan(500);
    expect(pauses[0]).toBeLessThanOrEqual(30_500);
  });

  it('a claim answers the job’s own checkpoints and progress, for a full run to resume from', async () => {
    const jobId = await pendingJob();
    const checkpoints = { 'issues|': { cursor: '2026-01-01T00:00:00.000Z', etag: null } };
    const progress = {
      issues: { pages: 3, entities: { jira_issues: { seen: 300, new: 300, unchanged: 0, failed: 0 } } },
    };
    await backend.pool.query('update etl_jobs set checkpoints = $2, progress = $3 where id = $1', [
      jobId,
      checkpoints,
      progress,
    ]);
    expect(
      await claimForRun(client, tenantId, jobId, { active: new Set(), maxTakeoverWaitMs: 0, logger }),
    ).toEqual({
      kind: 'claimed',
      checkpoints,
      progress,
    });
  });

  it('a duplicate delivery of a job this extractor runs is acked without touching the run', async () => {
    const jobId = await pendingJob();
    const active = new Set<number>();
    expect(
      await claimForRun(client, tenantId, jobId, { active, maxTakeoverWaitMs: 0, logger }),
    ).toMatchObject({ kind: 'claimed' });
    expect(await claimForRun(client, tenantId, jobId, { active, maxTakeoverWaitMs: 0, logger })).toEqual({
      kind: 'drop',
      reason: 'running here',
    });
    // Still this extractor's job.
    expect(active.has(jobId)).toBe(true);
  });

  it('past the takeover wait it falls back to the retry tiers; an ended job is dropped', async () => {
    const jobId = await pendingJob();
    await claimForRun(client, tenantId, jobId, { active: new Set(), maxTakeoverWaitMs: 0, logger });
    const other = new Set<number>();
    await expect(
      claimForRun(client, tenantId, jobId, { active: other, maxTakeoverWaitMs: 0, logger }),
    ).rejects.toThrow(JobClaimedElsewhereError);
    expect(other.has(jobId)).toBe(false);
    await backend.pool.query(`update etl_jobs set status = 'FINISHED' where id = $1`, [jobId]);
    expect(
      await claimForRun(client, tenantId, jobId, { active: other, maxTakeoverWaitMs: 0, logger }),
    ).toMatchObject({ kind: 'drop' });
  });
});
