// Finding 5: the service token was a master key — with any x-tenant-id it read any tenant's
// decrypted credentials — and the same token worked in both directions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@tributary/backend';
import {
  ADMIN_TOKEN,
  bearer,
  EXTRACT_TOKEN,
  SERVICE_TOKEN,
  service,
  startTestBackend,
  testEnv,
  type TestBackend,
} from '../support/backend.ts';
import { loadExtractConfig } from '../../services/extract/src/config.ts';
import { startTestExtract, type TestExtract } from './support.ts';
import { like } from '../support/matchers.ts';

let backend: TestBackend;
let extract: TestExtract;
let a: { id: number; token: string };
let b: { id: number; token: string };
let integrationA: number;
let otherIntegrationA: number;
let integrationB: number;

beforeAll(async () => {
  backend = await startTestBackend({ SCHEDULER_ENABLED: 'false' });
  extract = await startTestExtract({ allowPrivateHosts: true });
  a = await backend.createTenant('a');
  b = await backend.createTenant('b');
  integrationA = await backend.createIntegration(a.token, 'github', {
    credentials: { token: 'token-of-tenant-a' },
  });
  otherIntegrationA = await backend.createIntegration(a.token, 'github', {
    name: 'second',
    credentials: { token: 'second-token-a' },
  });
  integrationB = await backend.createIntegration(b.token, 'github', {
    credentials: { token: 'token-of-tenant-b' },
  });
});
afterAll(async () => {
  await backend.close();
  await extract.close();
});

async function job(tenantId: number, integrationId: number, status: string): Promise<number> {
  const { rows } = await backend.pool.query<{ id: number }>(
    `insert into etl_jobs (tenant_id, integration_id, status, streams, started_at) values ($1, $2, $3, '["repositories"]', now()) returning id`,
    [tenantId, integrationId, status],
  );
  return rows[0]!.id;
}

const readCredentials = (tenantId: number, integrationId: number, jobId?: number) =>
  backend.app.inject({
    method: 'GET',
    url: `/internal/v1/integrations/${integrationId}${jobId === undefined ? '' : `?job_id=${jobId}`}`,
    headers: service(tenantId),
  });

describe('service access is scoped to a claimed, RUNNING job', () => {
  it('credentials are handed out only for a RUNNING job of that tenant and integration', async () => {
    expect((await readCredentials(a.id, integrationA)).statusCode).toBe(403);
    const finished = await job(a.id, integrationA, 'FINISHED');
    expect((await readCredentials(a.id, integrationA, finished)).statusCode).toBe(403);
    const running = await job(a.id, integrationA, 'RUNNING');
    // Another integration's job, another tenant's integration: refused.
    expect((await readCredentials(a.id, otherIntegrationA, running)).statusCode).toBe(403);
    expect((await readCredentials(b.id, integrationB, running)).statusCode).toBe(403);
    const ok = await readCredentials(a.id, integrationA, running);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: integrationA, credentials: { token: 'token-of-tenant-a' } });
    for (const response of [
      await readCredentials(b.id, integrationB),
      await readCredentials(b.id, integrationB, running),
    ]) {
      expect(response.body).not.toContain('token-of-tenant-b');
    }
  });

  it('raw rows may name only a RUNNING job of the same tenant and integration; the database refuses a mismatch', async () => {
    const runningA = await job(a.id, otherIntegrationA, 'RUNNING');
    const store = (tenantId: number, integrationId: number, jobId: number) =>
      backend.app.inject({
        method: 'POST',
        url: '/api/v1/etl/raw-data/batch',
        headers: service(tenantId),
        payload: {
          records: [
            {
              integration_id: integrationId,
              entity_type: 'github_repositories',
              external_id: '1',
              raw_data: { id: 1 },
              extraction_metadata: {},
              job_id: jobId,
            },
          ],
        },
      });
    expect((await store(b.id, integrationB, runningA)).statusCode).toBe(403);
    const cancelledB = await job(b.id, integrationB, 'CANCELLED');
    expect((await store(b.id, integrationB, cancelledB)).statusCode).toBe(403);
    expect((await store(a.id, otherIntegrationA, runningA)).statusCode).toBe(200);
    await expect(
      backend.pool.query(
        `insert into raw_extraction_data (tenant_id, integration_id, job_id, entity_type, external_id, raw_data, content_hash)
         values ($1, $2, $3, 'github_repositories', 'x', '{}', 'h')`,
        [b.id, integrationB, runningA],
      ),
    ).rejects.toThrow(/raw_extraction_data_job_scope_fk/);
    const { rows } = await backend.pool.query(
      'select count(*)::int as n from raw_extraction_data where tenant_id = $1',
      [b.id],
    );
    expect(rows[0]).toEqual({ n: 0 });
  });
});

describe('service writes of raw rows must name a RUNNING job', () => {
  const repository = (integrationId: number, externalId: string, jobId?: number) => ({
    integration_id: integrationId,
    entity_type: 'github_repositories',
    external_id: externalId,
    raw_data: { id: Number(externalId) },
    extraction_metadata: {},
    ...(jobId === undefined ? {} : { job_id: jobId }),
  });
  const countRaw = async (tenantId: number) =>
    (
      await backend.pool.query<{ n: number }>(
        'select count(*)::int as n from raw_extraction_data where tenant_id = $1',
        [tenantId],
      )
    ).rows[0]!.n;
  type Refusal = { error: { code: string; message: string; details: { path: string }[] } };

  it('a batch with a record naming no job is refused with 403 naming records.N.job_id, and nothing is written', async () => {
    // A leaked service token and a guessed x-tenant-id: tenant B's integration, no job at all.
    const before = await countRaw(b.id);
    const jobless = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/etl/raw-data/batch',
      headers: service(b.id),
      payload: { records: [repository(integrationB, '10')] },
    });
    expect(jobless.statusCode).toBe(403);
    expect(jobless.json<Refusal>().error).toMatchObject({
      code: 'FORBIDDEN',
      message: like('records.0.job_id'),
      details: [{ path: 'records.0.job_id' }],
    });
    expect(await countRaw(b.id)).toBe(before);

    // One job-less record among records of a RUNNING job: the whole batch is refused.
    const running = await job(b.id, integrationB, 'RUNNING');
    const mixed = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/etl/raw-data/batch',
      headers: service(b.id),
      payload: {
        records: [
          repository(integrationB, '11', running),
          repository(integrationB, '12'),
          repository(integrationB, '13', running),
        ],
      },
    });
    expect(mixed.statusCode).toBe(403);
    expect(mixed.json<Refusal>().error.details.map((d) => d.path)).toEqual(['records.1.job_id']);
    expect(await countRaw(b.id)).toBe(before);
    await backend.pool.query(`update etl_jobs set status = 'CANCELLED' where id = $1`, [running]);
  });

  it('the single-record route refuses a record naming no job the same way', async () => {
    const before = await countRaw(a.id);
    const response = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/etl/raw-data/store',
      headers: service(a.id),
      payload: repository(integrationA, '20'),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json<Refusal>().error.details).toEqual([
      expect.objectContaining({ path: 'records.0.job_id' }),
    ]);
    expect(await countRaw(a.id)).toBe(before);
  });

  it('tenant and admin tokens cannot write raw rows at all, job or not (the routes admit the service token only)', async () => {
    const before = await countRaw(a.id);
    for (const headers of [bearer(a.token), bearer(ADMIN_TOKEN)]) {
      for (const [url, payload] of [
        ['/api/v1/etl/raw-data/batch', { records: [repository(integrationA, '30')] }],
        ['/api/v1/etl/raw-data/store', repository(integrationA, '31')],
      ] as const) {
        const response = await backend.app.inject({ method: 'POST', url, headers, payload });
        expect(response.statusCode).toBe(403);
        expect(response.json<Refusal>().error.message).toContain('needs a service token');
      }
    }
    expect(await countRaw(a.id)).toBe(before);
  });
});

describe('one token per direction', () => {
  it('the backend does not accept the backend → extract token, and the extractor does not accept the extract → backend token', async () => {
    // The RUNNING job of the first test is still running.
    const { rows } = await backend.pool.query<{ id: number }>(
      `select id from etl_jobs where integration_id = $1 and status = 'RUNNING'`,
      [integrationA],
    );
    const withExtractToken = await backend.app.inject({
      method: 'GET',
      url: `/internal/v1/integrations/${integrationA}?job_id=${rows[0]!.id}`,
      headers: { ...bearer(EXTRACT_TOKEN), 'x-tenant-id': String(a.id) },
    });
    expect(withExtractToken.statusCode).toBe(401);
    const test = (token: string) =>
      extract.app.inject({
        method: 'POST',
        url: '/internal/connection-test',
        headers: bearer(token),
        payload: {
          id: 1,
          type: 'github',
          base_url: 'http://127.0.0.1:1',
          credentials: { token: 't' },
          config: { repositories: ['a/b'] },
        },
      });
    expect((await test(SERVICE_TOKEN)).statusCode).toBe(401);
    expect((await test(EXTRACT_TOKEN)).statusCode).toBe(200);
  });

  it('equal tokens are refused at start, naming the variable', () => {
    const env = testEnv('postgres://x@127.0.0.1/x');
    expect(() => loadConfig({ ...env, TRIBUTARY_EXTRACT_TOKEN: SERVICE_TOKEN })).toThrow(
      /TRIBUTARY_EXTRACT_TOKEN: must differ from TRIBUTARY_SERVICE_TOKEN/,
    );
    expect(() => loadConfig({ ...env, TRIBUTARY_SERVICE_TOKEN: ADMIN_TOKEN })).toThrow(
      /TRIBUTARY_SERVICE_TOKEN: must differ from TRIBUTARY_ADMIN_TOKEN/,
    );
    expect(() =>
      loadExtractConfig({ TRIBUTARY_SERVICE_TOKEN: SERVICE_TOKEN, TRIBUTARY_EXTRACT_TOKEN: SERVICE_TOKEN }),
    ).toThrow(/TRIBUTARY_EXTRACT_TOKEN: must differ from TRIBUTARY_SERVICE_TOKEN/);
    expect(() => loadExtractConfig({ TRIBUTARY_SERVICE_TOKEN: SERVICE_TOKEN })).toThrow(
      /TRIBUTARY_EXTRACT_TOKEN/,
    );
  });
});
