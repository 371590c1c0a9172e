import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreakerRegistry, createGovernor } from '@tributary/resilience';
import { createLogger } from '@tributary/observability';
import { SERVICE_TOKEN, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { BackendClient } from '../backend-client.ts';
import { simulatorGuard } from '../http/testing.ts';
import { runExtractJob } from './run-extract-job.ts';
import { TEST_RUN_SETTINGS } from './testing.ts';

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
    await backend.pool.query(
      `update etl_jobs set status = 'PAUSED', pause_reason = 'paused by a person' where id = $1`,
      [jobId],
    );
    return super.getIntegration(tenant, integration, jobId);
  }
}

/** Runs one incremental Jira job of the test integration through `client`. */
async function runWith(
  client: (options: ConstructorParameters<typeof BackendClient>[0]) => BackendClient,
  jobId: number,
): Promise<void> {
  const breakers = createBreakerRegistry();
  try {
    await runExtractJob(
      {
        backend: client({
          baseUrl,
          serviceToken: SERVICE_TOKEN,
          breaker: breakers.get('backend'),
          retry: { retries: 0, baseMs: 10, capMs: 10 },
        }),
        breakers,
        governorFor: () => createGovernor({ concurrency: 1 }),
        logger,
        guard: simulatorGuard,
        settings: TEST_RUN_SETTINGS,
      },
      {
        v: 1,
        tenant_id: tenantId,
        integration_id: integrationId,
        job_id: jobId,
        source: 'jira',
        mode: 'incremental',
        streams: ['issues'],
      },
    );
  } finally {
    breakers.shutdown();
  }
}

async function newJob(): Promise<number> {
  // One active job per integration: the previous test's job ends first.
  await backend.pool.query(
    `update etl_jobs set status = 'CANCELLED' where integration_id = $1 and status in ('PENDING', 'RUNNING', 'PAUSED')`,
    [integrationId],
  );
  const { rows } = await backend.pool.query<{ id: number }>(
    `insert into etl_jobs (tenant_id, integration_id, streams, mode) values ($1, $2, '["issues"]', 'incremental') returning id`,
    [tenantId, integrationId],
  );
  return Number(rows[0]!.id);
}

/** A pause that is resumed again before the extractor looks: the credentials call is refused once. */
class PausedAndResumedAfterClaim extends BackendClient {
  calls = 0;
  override async getIntegration(tenant: number, integration: number, jobId: number) {
    this.calls += 1;
    if (this.calls > 1) return super.getIntegration(tenant, integration, jobId);
    await backend.pool.query(
      `update etl_jobs set status = 'PAUSED', pause_reason = 'paused by a person' where id = $1`,
      [jobId],
    );
    try {
      return await super.getIntegration(tenant, integration, jobId);
    } finally {
      await backend.pool.query(`update etl_jobs set status = 'RUNNING', pause_reason = null where id = $1`, [
        jobId,
      ]);
    }
  }
}

describe('a job paused right after its claim', () => {
  it('stops as paused instead of failing on the refused credentials (served only to a RUNNING job)', async () => {
    const jobId = await newJob();
    await runWith((options) => new PausedAfterClaim(options), jobId);
    const job = await backend.pool.query<{ status: string; error: string | null; error_code: string | null }>(
      'select status, error, error_code from etl_jobs where id = $1',
      [jobId],
    );
    expect(job.rows[0]).toEqual({ status: 'PAUSED', error: null, error_code: null });
  });

  it('asks again when the pause was already resumed, instead of failing the run as misconfigured', async () => {
    const jobId = await newJob();
    let client: PausedAndResumedAfterClaim | undefined;
    await runWith((options) => (client = new PausedAndResumedAfterClaim(options)), jobId);
    expect(client?.calls).toBe(2);
    const job = await backend.pool.query<{ error: string | null; error_code: string | null }>(
      'select error, error_code from etl_jobs where id = $1',
      [jobId],
    );
    // Whatever the source then answered, the run was not failed on the refused credentials.
    expect(job.rows[0]?.error_code).not.toBe('CONFIG_INVALID');
    expect(job.rows[0]?.error ?? '').not.toContain('403');
  });
});
