import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApp, loadConfig } from '@tributary/backend';
import { createLogger } from '@tributary/observability';
import { benchDatabase, median, runConcurrently, timed, type BenchResult } from './support.ts';

const ADMIN = 'bench-admin-token-0123456789';
const SERVICE = 'bench-service-token-0123456789';

/** A Jira-issue-shaped record of about 1.5 KB. */
function record(integrationId: number, jobId: number, n: number) {
  return {
    integration_id: integrationId,
    job_id: jobId,
    entity_type: 'jira_issues',
    external_id: String(100_000 + n),
    raw_data: {
      id: String(100_000 + n),
      key: `BENCH-${n}`,
      self: `https://example.atlassian.net/rest/api/3/issue/${100_000 + n}`,
      fields: {
        summary: `Benchmark issue number ${n} with a realistic summary length`,
        status: {
          id: '3',
          name: 'In Progress',
          statusCategory: { key: 'indeterminate', name: 'In Progress' },
        },
        issuetype: { id: '10001', name: 'Story', subtask: false },
        priority: { id: '3', name: 'Medium' },
        assignee: { accountId: `5b10a2844c20165700ede${n % 97}`, displayName: 'Ada Lovelace', active: true },
        reporter: { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Grace Hopper', active: true },
        labels: ['backend', 'bench'],
        created: '2025-01-02T10:15:30.123+0000',
        updated: '2026-11-01T08:00:00.000+0000',
        resolutiondate: null,
        customfield_10016: 3,
        description: randomBytes(420).toString('hex'),
      },
    },
    extraction_metadata: { url: '/rest/api/3/search/jql', fetched_at: '2026-11-22T10:00:00Z' },
  };
}

/**
 * Records/s through POST /raw-data/batch (real HTTP, batches of 500) beside a bare
 * multi-row INSERT of the same rows from the same process. Both write to a freshly
 * truncated table with the same indexes; the ratio is what the API costs.
 */
export async function benchRawIngest(
  total = 100_000,
  batchSize = 500,
  concurrency = 2,
  rounds = 3,
): Promise<BenchResult> {
  const db = await benchDatabase('raw');
  const pool = new pg.Pool({ connectionString: db.url, max: concurrency + 1 });
  try {
    const config = loadConfig({
      DATABASE_URL: db.url,
      TRIBUTARY_ADMIN_TOKEN: ADMIN,
      TRIBUTARY_SERVICE_TOKEN: SERVICE,
      TRIBUTARY_EXTRACT_TOKEN: `${SERVICE}-extract`,
      TRIBUTARY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ALLOW_PRIVATE_INTEGRATION_HOSTS: 'true',
      DB_POOL_MAX: String(concurrency + 1),
    });
    const app = await buildApp(config, { logger: createLogger('bench', { level: 'warn' }) });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const tenant = (await (
      await fetch(`${address}/api/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench' }),
      })
    ).json()) as { id: number; token: string };
    const integration = (await (
      await fetch(`${address}/api/v1/integrations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'jira',
          name: 'bench',
          base_url: 'http://127.0.0.1:1',
          credentials: { email: 'a@b.co', api_token: 'x' },
          config: { projects: ['BENCH'] },
        }),
      })
    ).json()) as { id: number };

    // Service writes of raw rows name the RUNNING job they work for (security finding 5): one
    // job, as if an extractor had claimed it, for every batch.
    const { rows: jobRows } = await pool.query<{ id: string }>(
      `insert into etl_jobs (tenant_id, integration_id, status, streams, started_at, heartbeat_at)
       values ($1, $2, 'RUNNING', '["issues"]', now(), now()) returning id`,
      [tenant.id, integration.id],
    );
    const jobId = Number(jobRows[0]!.id);
    const batches = Array.from({ length: Math.ceil(total / batchSize) }, (_, b) =>
      Array.from({ length: batchSize }, (_, i) => record(integration.id, jobId, b * batchSize + i)),
    );
    const bodies = batches.map((records) => JSON.stringify({ records }));
    const bytesPerRecord = Math.round(JSON.stringify(batches[0]![0]).length);

    const runBare = () =>
      timed(() =>
        runConcurrently(
          batches.map((records) => async () => {
            const values: unknown[] = [];
            const rows = records.map((r, i) => {
              values.push(
                tenant.id,
                r.integration_id,
                r.job_id,
                r.entity_type,
                r.external_id,
                r.raw_data,
                r.extraction_metadata,
                `h${r.external_id}`,
              );
              const o = i * 8;
              return `($${o + 1},$${o + 2},$${o + 3},$${o + 4},$${o + 5},$${o + 6},$${o + 7},$${o + 8})`;
            });
            await pool.query(
              `insert into raw_extraction_data (tenant_id, integration_id, job_id, entity_type, external_id, raw_data, extraction_metadata, content_hash) values ${rows.join(',')}`,
              values,
            );
          }),
          concurrency,
        ),
      );
    const runApi = () =>
      timed(() =>
        runConcurrently(
          bodies.map((body) => async () => {
            const response = await fetch(`${address}/api/v1/etl/raw-data/batch`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${SERVICE}`,
                'x-tenant-id': String(tenant.id),
                'content-type': 'application/json',
              },
              body,
            });
            if (response.status !== 200)
              throw new Error(`batch failed: ${response.status} ${await response.text()}`);
            await response.arrayBuffer();
          }),
          concurrency,
        ),
      );
    const countRows = async () =>
      (await pool.query<{ n: number }>('select count(*)::int as n from raw_extraction_data')).rows[0]!.n;

    // Alternating rounds on a truncated table; the median of each side is reported,
    // so one noisy round (autovacuum, a checkpoint) does not decide the ratio.
    const bareTimes: number[] = [];
    const apiTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await pool.query('truncate raw_extraction_data, raw_outbox');
      bareTimes.push(await runBare());
      await pool.query('truncate raw_extraction_data, raw_outbox');
      apiTimes.push(await runApi());
      const stored = await countRows();
      if (stored !== total) throw new Error(`expected ${total} rows through the API, found ${stored}`);
    }
    const bare = median(bareTimes);
    const api = median(apiTimes);
    await app.close();

    const bareRate = total / bare;
    const apiRate = total / api;
    return {
      name: 'raw-data ingestion',
      lines: [
        `records: ${total} × ~${bytesPerRecord} B, batches of ${batchSize}, ${concurrency} in flight, median of ${rounds} alternating rounds`,
        `bare multi-row INSERT: ${bareRate.toFixed(0)} records/s (${bare.toFixed(2)} s)`,
        `POST /api/v1/etl/raw-data/batch: ${apiRate.toFixed(0)} records/s (${api.toFixed(2)} s)`,
        `ratio API / bare: ${((apiRate / bareRate) * 100).toFixed(1)} % (target ≥ 70 %)`,
      ],
    };
  } finally {
    await pool.end();
    await db.drop();
  }
}
