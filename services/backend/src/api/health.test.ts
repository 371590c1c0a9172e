import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { waitFor } from '../../../../tests/support/wait.ts';

let backend: TestBackend;
beforeAll(async () => {
  backend = await startTestBackend();
});
afterAll(async () => backend.close());

describe('operations endpoints', () => {
  it('healthz and readyz answer without a token', async () => {
    expect((await backend.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    // The broker connects in the background; readiness follows once it has.
    const ready = await waitFor(async () => {
      const response = await backend.app.inject('/readyz');
      return response.statusCode === 200 ? response : null;
    });
    expect(ready.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'ok' }, broker: { status: 'ok' } } });
  });

  it('serves Prometheus metrics', async () => {
    const metrics = await backend.app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
  });

  it('serves an OpenAPI document generated from the schemas', async () => {
    const doc = await backend.app.inject('/docs/json');
    expect(doc.statusCode).toBe(200);
    const spec = doc.json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tenants', '/api/v1/integrations', '/api/v1/etl/raw-data/batch', '/api/v1/jobs']),
    );
  });

  it('answers unknown routes with a 404 in the error shape', async () => {
    const response = await backend.app.inject('/api/v1/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('readyz turns 503 when the database is gone', async () => {
    const broken = await startTestBackend({ DB_STATEMENT_TIMEOUT_MS: '1000' });
    await broken.database.drop();
    const ready = await broken.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'unavailable', checks: { database: { status: 'unavailable' } } });
    await broken.app.close();
    await broken.pool.end();
  });
});
