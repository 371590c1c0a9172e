import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@tributary/observability';
import { buildApp } from '../app.ts';
import { service, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
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
    // Exactly this shape: no probe results (a pg result) leak into it.
    expect(ready.json()).toEqual({ database: 'up', broker: 'up', breakers: {} });
  });

  it('serves Prometheus metrics: process, jobs by outcome, records per stream, dead letters, queues', async () => {
    const tenant = await backend.createTenant('metrics');
    const integration = await backend.createIntegration(tenant.token, 'jira');
    const progress = {
      issues: { pages: 2, entities: { jira_issues: { seen: 150, new: 120, unchanged: 30, failed: 0 } } },
    };
    await backend.pool.query(
      `insert into etl_jobs (tenant_id, integration_id, streams, status, progress, records_transformed, started_at, finished_at)
       values ($1, $2, '["issues"]', 'FINISHED', $3, 120, now() - interval '42 seconds', now())`,
      [tenant.id, integration, progress],
    );
    await backend.pool.query(
      `insert into dead_letters (tenant_id, integration_id, entity_type, message_id, queue, routing_key, body, reason)
       values ($1, $2, 'jira_issues', 'm-metrics', 'etl.transform', 'transform.jira_issues', '{}', 'boom')`,
      [tenant.id, integration],
    );
    const metrics = await waitFor(async () => {
      const response = await backend.app.inject('/metrics');
      // The queue series appear once the broker connection is up.
      return response.body.includes('tributary_queue_messages{') ? response : null;
    });
    expect(metrics.statusCode).toBe(200);
    const body = metrics.body;
    expect(body).toContain('process_cpu_user_seconds_total');
    const series = (name: string, labels: string) =>
      new RegExp(`^${name}\\{${labels}[^}]*\\} (\\S+)$`, 'm').exec(body)?.[1];
    expect(
      series(
        'tributary_records',
        `integration_id="${integration}",stream="issues",entity_type="jira_issues",outcome="new"`,
      ),
    ).toBe('120');
    expect(
      series(
        'tributary_records',
        `integration_id="${integration}",stream="issues",entity_type="jira_issues",outcome="unchanged"`,
      ),
    ).toBe('30');
    expect(
      series('tributary_records_transformed', `integration_id="${integration}",outcome="transformed"`),
    ).toBe('120');
    expect(series('tributary_jobs', `integration_id="${integration}",status="FINISHED"`)).toBe('1');
    expect(
      Number(
        series('tributary_job_last_duration_seconds', `integration_id="${integration}",status="FINISHED"`),
      ),
    ).toBeGreaterThanOrEqual(42);
    expect(series('tributary_dead_letters', 'entity_type="jira_issues",status="dead"')).toBe('1');
    expect(series('tributary_queue_messages', `queue="${backend.config.QUEUE_PREFIX}etl.transform"`)).toBe(
      '0',
    );
    expect(series('tributary_queue_consumers', `queue="${backend.config.QUEUE_PREFIX}etl.extract"`)).toBe(
      '0',
    );
  });

  it('job durations are a histogram by source and outcome, observed by the backend that ended the job', async () => {
    // Two backends on one database: each counts only the job ends it performed.
    const other = await buildApp(backend.config, { logger: createLogger('test', { level: 'silent' }) });
    try {
      const tenant = await backend.createTenant('durations');
      const integration = await backend.createIntegration(tenant.token, 'jira');
      const running = async () => {
        const { rows } = await backend.pool.query<{ id: string }>(
          `insert into etl_jobs (tenant_id, integration_id, streams, status, started_at, heartbeat_at)
           values ($1, $2, '["issues"]', 'RUNNING', now() - interval '42 seconds', now()) returning id`,
          [tenant.id, integration],
        );
        return Number(rows[0]!.id);
      };
      const failed = await running();
      const fail = await backend.app.inject({
        method: 'POST',
        url: `/internal/v1/jobs/${failed}/fail`,
        headers: service(tenant.id),
        payload: { error: 'boom', retryable: false },
      });
      expect(fail.json()).toMatchObject({ status: 'FAILED' });
      const finished = await running();
      const finish = await other.inject({
        method: 'POST',
        url: `/internal/v1/jobs/${finished}/extraction-finished`,
        headers: service(tenant.id),
      });
      expect(finish.json()).toMatchObject({ status: 'FINISHED' });

      /** The value of the one series of `name` carrying all of `labels`. */
      const sample = (body: string, name: string, labels: Record<string, string>) => {
        const lines = body.split('\n').filter((line) => line.startsWith(`${name}{`));
        const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
        const hits = lines.filter((line) =>
          wanted.every((label) => line.slice(0, line.lastIndexOf('}')).includes(label)),
        );
        return hits.length === 1 ? Number(hits[0]!.slice(hits[0]!.lastIndexOf(' ') + 1)) : undefined;
      };
      const mine = (await backend.app.inject('/metrics')).body;
      const theirs = (await other.inject('/metrics')).body;
      expect(mine).toContain('# TYPE tributary_job_duration_seconds histogram');
      const failedJira = { source: 'jira', outcome: 'FAILED' };
      expect(sample(mine, 'tributary_job_duration_seconds_count', failedJira)).toBe(1);
      expect(sample(mine, 'tributary_job_duration_seconds_sum', failedJira)).toBeGreaterThanOrEqual(42);
      expect(sample(mine, 'tributary_job_duration_seconds_bucket', { ...failedJira, le: '30' })).toBe(0);
      expect(sample(mine, 'tributary_job_duration_seconds_bucket', { ...failedJira, le: '60' })).toBe(1);
      expect(
        sample(mine, 'tributary_job_duration_seconds_count', { source: 'jira', outcome: 'FINISHED' }),
      ).toBeUndefined();
      // The other instance finished the second job: it (and only it) counts that one.
      expect(
        sample(theirs, 'tributary_job_duration_seconds_count', { source: 'jira', outcome: 'FINISHED' }),
      ).toBe(1);
      expect(sample(theirs, 'tributary_job_duration_seconds_count', failedJira)).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('serves an OpenAPI document generated from the schemas', async () => {
    const doc = await backend.app.inject('/docs/json');
    expect(doc.statusCode).toBe(200);
    const spec = doc.json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/tenants',
        '/api/v1/integrations',
        '/api/v1/etl/raw-data/batch',
        '/api/v1/jobs',
      ]),
    );
  });

  it('answers unknown routes with a 404 in the error shape', async () => {
    const response = await backend.app.inject('/api/v1/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('readyz turns 503 when the database is gone', async () => {
    const broken = await startTestBackend({ DB_STATEMENT_TIMEOUT_MS: '1000' });
    // The broker connects in the background (slowly on a busy machine): only the database may be down here.
    await waitFor(
      async () => (await broken.app.inject('/readyz')).json<{ broker: string }>().broker === 'up',
      20_000,
      'broker up',
    );
    await broken.database.drop();
    const ready = await broken.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ database: 'down', broker: 'up', breakers: {} });
    await broken.app.close();
    await broken.pool.end();
  });
});
