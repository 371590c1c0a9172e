import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreakerRegistry, createGovernor } from '@tributary/resilience';
import { createLogger } from '@tributary/observability';
import type { Publisher } from '@tributary/queue';
import { SERVICE_TOKEN, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { BackendClient } from '../backend-client.ts';
import { simulatorGuard } from '../http/testing.ts';
import { runExtractJob } from './run-extract-job.ts';

const logger = createLogger('extract', { level: 'silent' });
let backend: TestBackend;
let baseUrl: string;
let tenantId: number;
let integrationId: number;

beforeAll(async () => {
  backend = await startTestBackend({ SCHEDULER_ENABLED: 'false' });
  await backend.app.listen({ port: 0, host: '127.0.0.1' });
  const address = backend.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const tenant = await backend.createTenant();
  tenantId = tenant.id;
  integrationId = await backend.createIntegration(tenant.token, 'jira');
});
afterAll(async () => backend?.close());

/** A backend client whose job is paused by a person between the claim and the credentials call. */
class PausedAfterClaim extends BackendClient {
  override async getIntegration(tenant: number, integration: number, jobId: number) {
    await backend.pool.query(`update etl_jobs set status = 'PAUSED', pause_reason = 'paused by a person' where id = $1`, [jobId]);
    return super.getIntegration(tenant, integration, jobId);
  }
}

describe('a job paused right after its claim', () => {
  it('stops as paused instead of failing on the refused credentials (served only to a RUNNING job)', async () => {
    const { rows } = await backend.pool.query<{ id: number }>(
      `insert into etl_jobs (tenant_id, integration_id, streams, mode) values ($1, $2, '["issues"]', 'incremental') returning id`,
      [tenantId, integrationId],
    );
    const jobId = Number(rows[0]!.id);
    const breakers = createBreakerRegistry();
    try {
      await runExtractJob(
        {
          backend: new PausedAfterClaim({
            baseUrl,
            serviceToken: SERVICE_TOKEN,
            breaker: breakers.get('backend'),
            retry: { retries: 0, baseMs: 10, capMs: 10 },
          }),
          publisher: {} as Publisher,
          breakers,
          governorFor: () => createGovernor({ concurrency: 1 }),
          logger,
          guard: simulatorGuard,
          settings: {
            heartbeatSeconds: 10,
            backendDownPauseSeconds: 5,
            sourceBreakerWaitSeconds: 5,
            sourceRetry: { retries: 0, baseMs: 10, capMs: 10 },
            sourceTimeoutMs: 5000,
            maxTakeoverWaitSeconds: 5,
          },
        },
        { v: 1, tenant_id: tenantId, integration_id: integrationId, job_id: jobId, source: 'jira', mode: 'incremental', streams: ['issues'] },
      );
    } finally {
      breakers.shutdown();
    }
    const job = await backend.pool.query<{ status: string; error: string | null; error_code: string | null }>(
      'select status, error, error_code from etl_jobs where id = $1',
      [jobId],
    );
    expect(job.rows[0]).toEqual({ status: 'PAUSED', error: null, error_code: null });
  });
});
