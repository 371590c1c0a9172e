import pg from 'pg';
import { MAX_TRANSFORM_BATCH, type EntityType, type TransformMessage } from '@tributary/contracts';
import { hearPoolErrors } from '@tributary/db';
import { createLogger } from '@tributary/observability';
import { QueueConnection, Publisher, retryTiersFromMs } from '@tributary/queue';
import { transformerFor, UPDATED_AT_COLUMN } from '../services/backend/src/workers/transformers/index.ts';
import type { NormalizedRow } from '../services/backend/src/workers/transformers/types.ts';
import { jiraIssue, ghPullSingle } from '../services/backend/src/workers/transformers/fixtures.ts';
import { loadTransformBatches, type LoadStep } from '../services/backend/src/workers/load-transform-batch.ts';
import { startReplica, type Replica } from '../tests/scale/support/replicas.ts';
import {
  AMQP_URL,
  BENCH_TIERS,
  benchDatabase,
  benchStack,
  benchWorkers,
  cpuSeconds,
  median,
  PostgresCpu,
  timed,
  type BenchResult,
} from './support.ts';

/** A Jira issue as the raw layer holds it: without its inline changelog (DESIGN §3, that is its own record). */
function issueRecord(n: number): Record<string, unknown> {
  const { changelog: _changelog, ...base } = jiraIssue() as { fields: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  const day = String(1 + (n % 28)).padStart(2, '0');
  return {
    ...base,
    id: String(100_000 + n),
    key: `BENCH-${n}`,
    fields: { ...base.fields, summary: `Benchmark issue ${n}`, updated: `2025-03-${day}T10:15:30.123+0000` },
  };
}

function pullRecord(n: number): Record<string, unknown> {
  const base = ghPullSingle();
  return {
    ...base,
    id: 9_000_000 + n,
    number: n + 1,
    title: `Benchmark PR ${n}`,
    updated_at: '2025-03-01T10:00:00Z',
  };
}

interface Workload {
  tenantId: number;
  integrationId: number;
  batches: { entityType: EntityType; ids: number[] }[];
  total: number;
}

/** Inserts the raw rows straight into raw_extraction_data (pending) with their outbox rows, as the store step leaves them. */
async function seedRaw(pool: pg.Pool, issues: number, pulls: number): Promise<Workload> {
  const tenant = await pool.query<{ id: number }>(`insert into tenants (name) values ('bench') returning id`);
  const tenantId = tenant.rows[0]!.id;
  const integration = await pool.query<{ id: number }>(
    `insert into integrations (tenant_id, type, name, base_url, credentials_encrypted, credentials_key_id, config)
     values ($1, 'jira', 'bench', 'http://127.0.0.1:1', 'x', 'x', '{}') returning id`,
    [tenantId],
  );
  const integrationId = integration.rows[0]!.id;
  const batches: Workload['batches'] = [];
  const insert = async (
    entityType: EntityType,
    count: number,
    make: (n: number) => Record<string, unknown>,
    idOf: (r: Record<string, unknown>) => string,
  ) => {
    for (let start = 0; start < count; start += MAX_TRANSFORM_BATCH) {
      const records = Array.from({ length: Math.min(MAX_TRANSFORM_BATCH, count - start) }, (_, i) =>
        make(start + i),
      );
      const { rows } = await pool.query<{ id: number }>(
        `insert into raw_extraction_data (tenant_id, integration_id, entity_type, external_id, raw_data, content_hash)
         select $1, $2, $3, r->>'ext', r->'raw', md5(r->>'ext')
         from jsonb_array_elements($4::jsonb) as r returning id`,
        [
          tenantId,
          integrationId,
          entityType,
          JSON.stringify(records.map((raw) => ({ ext: idOf(raw), raw }))),
        ],
      );
      // Their outbox rows, published (the broker confirmed): the pipeline deletes them as it loads.
      await pool.query(
        `insert into raw_outbox (raw_id, tenant_id, integration_id, entity_type, published_at)
         select id, $1, $2, $3, now() from unnest($4::bigint[]) as id`,
        [tenantId, integrationId, entityType, rows.map((r) => r.id)],
      );
      batches.push({ entityType, ids: rows.map((r) => r.id) });
    }
  };
  await insert('jira_issues', issues, issueRecord, (r) => String(r.id));
  await insert('github_pull_requests', pulls, pullRecord, (r) => String(r.id));
  return { tenantId, integrationId, batches, total: issues + pulls };
}

/** One transform message per seeded batch, as the store step publishes them. */
function transformMessages(work: Workload): TransformMessage[] {
  return work.batches.map((batch) => ({
    v: 1,
    tenant_id: work.tenantId,
    integration_id: work.integrationId,
    job_id: null,
    entity_type: batch.entityType,
    raw_ids: batch.ids,
  }));
}

/** The baseline: the same normalized rows upserted with plain multi-row INSERT … ON CONFLICT, no queue, no transform. */
async function bareUpsert(
  pool: pg.Pool,
  work: Workload,
  rowsByBatch: { table: string; rows: (NormalizedRow & { rawId: number })[] }[],
): Promise<void> {
  for (const { table, rows } of rowsByBatch) {
    const columns = Object.keys(rows[0]!.columns);
    const all = ['tenant_id', 'integration_id', 'external_id', 'raw_id', ...columns];
    const values: unknown[] = [];
    const tuples = rows.map((row, i) => {
      values.push(
        work.tenantId,
        work.integrationId,
        row.externalId,
        row.rawId,
        ...columns.map((c) => row.columns[c]),
      );
      return `(${all.map((_, j) => `$${i * all.length + j + 1}`).join(',')})`;
    });
    const updated = UPDATED_AT_COLUMN[rows[0]!.table];
    await pool.query(
      `insert into ${table} (${all.join(',')}) values ${tuples.join(',')}
       on conflict (tenant_id, integration_id, external_id) do update set ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}
       ${updated ? `where ${table}.${updated} <= excluded.${updated}` : ''}`,
      values,
    );
  }
}

/**
 * Transform/load throughput: raw Jira issues and GitHub PRs already stored, published
 * as transform messages and drained by one worker process, beside a bare upsert of
 * the same normalized rows (computed up front) in the same run.
 */
export async function benchTransformLoad(issues = 100_000, pulls = 20_000, rounds = 1): Promise<BenchResult> {
  const pipelineTimes: number[] = [];
  const steps = new Map<LoadStep, number>();
  const cpu = {
    bare: [] as { node: number; postgres: number }[],
    pipeline: [] as { node: number; postgres: number }[],
  };
  const bareTimes: number[] = [];
  let total = 0;
  for (let round = 0; round < rounds; round++) {
    const db = await benchDatabase('transform');
    // Heard: dropping the database at the end ends its idle connections with an error event.
    const pool = hearPoolErrors(new pg.Pool({ connectionString: db.url, max: 4 }));
    try {
      const work = await seedRaw(pool, issues, pulls);
      total = work.total;
      // Baseline first: transform in memory (not timed), then time only the upserts.
      const raws = await pool.query<{
        id: number;
        entity_type: EntityType;
        external_id: string;
        raw_data: unknown;
      }>('select id, entity_type, external_id, raw_data from raw_extraction_data order by id');
      const byId = new Map(raws.rows.map((r) => [r.id, r]));
      const rowsByBatch = work.batches.map((batch) => {
        const transformer = transformerFor(batch.entityType);
        const rows = batch.ids.flatMap((id) => {
          const raw = byId.get(id)!;
          return transformer
            .transform(raw.raw_data, { rawId: id, externalId: raw.external_id, metadata: {} })
            .map((row) => ({ ...row, rawId: id }));
        });
        return { table: rows[0]!.table, rows };
      });
      const databaseName = new URL(db.url).pathname.slice(1);
      const bareDbCpu = new PostgresCpu(pool, databaseName);
      await bareDbCpu.sample();
      const bareNodeStart = process.cpuUsage();
      bareTimes.push(await timed(() => bareUpsert(pool, work, rowsByBatch)));
      const bareNode = process.cpuUsage(bareNodeStart);
      await bareDbCpu.sample();
      cpu.bare.push({ node: (bareNode.user + bareNode.system) / 1e6, postgres: bareDbCpu.total() });
      await pool.query('truncate jira_issues, github_pull_requests');

      const workers = benchWorkers();
      // WORKER_BATCH_MESSAGES reaches the worker too (the stack passes no environment through).
      const batchMessages = process.env.WORKER_BATCH_MESSAGES;
      const bench = await benchStack(
        db.url,
        {
          worker: {
            WORKER_MIN: workers,
            WORKER_MAX: workers,
            // Not the flow summaries' periodic fold (every 30 s by default): whether one of its
            // passes falls inside the measured window depends on the timer's phase, and it then
            // folds the issues just loaded, which neither side of the comparison is about (`pnpm
            // bench metrics` measures the summaries). The bare upsert fires the same triggers.
            FLOW_SUMMARY_INTERVAL_SECONDS: '86400',
            ...(batchMessages ? { WORKER_BATCH_MESSAGES: batchMessages } : {}),
          },
        },
        ['worker'],
      );
      // BENCH_WORKER_PROCESSES > 1: more worker processes on the same queue (docs/scaling.md).
      const extraWorkers: Replica[] = [];
      for (let i = 1; i < workerProcesses(); i++)
        extraWorkers.push(await startReplica(bench.stack, 'worker', `worker${i + 1}`));
      const logger = createLogger('bench', { level: 'warn' });
      const connection = await new QueueConnection({
        url: AMQP_URL,
        prefix: bench.prefix,
        retryTiers: retryTiersFromMs(BENCH_TIERS),
        logger,
      }).start();
      const publisher = new Publisher(connection, { logger });
      let closed = false;
      const pipeDbCpu = new PostgresCpu(pool, databaseName);
      const workerPid = bench.stack.process('worker')?.pid;
      try {
        await pipeDbCpu.sample();
        const workerStart = cpuSeconds(workerPid);
        pipelineTimes.push(
          await timed(async () => {
            await Promise.all(
              transformMessages(work).map((message) =>
                publisher.publish(`transform.${message.entity_type}`, message),
              ),
            );
            for (;;) {
              const { rows } = await pool.query<{ n: number }>(
                `select count(*)::int as n from raw_extraction_data where status = 'pending'`,
              );
              if (rows[0]!.n === 0) break;
              await pipeDbCpu.sample();
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }),
        );
        await pipeDbCpu.sample();
        cpu.pipeline.push({ node: cpuSeconds(workerPid) - workerStart, postgres: pipeDbCpu.total() });
        const loaded = await pool.query<{ n: number }>(
          'select (select count(*) from jira_issues) + (select count(*) from github_pull_requests) as n',
        );
        if (Number(loaded.rows[0]!.n) !== work.total)
          throw new Error(`loaded ${loaded.rows[0]!.n} of ${work.total}`);
        const outbox = await pool.query<{ n: number }>('select count(*)::int as n from raw_outbox');
        if (outbox.rows[0]!.n !== 0) throw new Error(`${outbox.rows[0]!.n} outbox rows left after the load`);
        // The worker must not see the rows made pending again below.
        for (const extra of extraWorkers.splice(0)) await extra.stop();
        await bench.close();
        closed = true;
        // The same work again in this process, one transaction after another, timing each step.
        await pool.query(`update raw_extraction_data set status = 'pending', processed_at = null`);
        await pool.query(
          `insert into raw_outbox (raw_id, tenant_id, integration_id, entity_type, published_at)
           select id, tenant_id, integration_id, entity_type, now() from raw_extraction_data`,
        );
        await pool.query('truncate jira_issues, github_pull_requests');
        await pool.query('vacuum analyze raw_extraction_data');
        const messages = transformMessages(work);
        const perBatch = Number(process.env.WORKER_BATCH_MESSAGES ?? 4);
        for (let i = 0; i < messages.length; i += perBatch) {
          await loadTransformBatches(pool, messages.slice(i, i + perBatch), (step, ms) =>
            steps.set(step, (steps.get(step) ?? 0) + ms),
          );
        }
      } finally {
        await publisher.close();
        await connection.close();
        for (const extra of extraWorkers) await extra.stop();
        if (!closed) await bench.close();
      }
    } finally {
      await pool.end();
      await db.drop();
    }
  }
  const bareRate = total / median(bareTimes);
  const pipeRate = total / median(pipelineTimes);
  return {
    name: 'transform/load',
    lines: [
      `records: ${issues} Jira issues + ${pulls} GitHub PRs in raw_extraction_data, ${MAX_TRANSFORM_BATCH} per message, ${workerProcesses()} worker process(es) (${benchWorkers()} concurrent batches each)`,
      `bare multi-row upsert of the precomputed normalized rows: ${bareRate.toFixed(0)} records/s`,
      `pipeline (publish → RabbitMQ → worker → transform → upsert → raw rows completed): ${pipeRate.toFixed(0)} records/s`,
      `ratio pipeline / bare: ${((pipeRate / bareRate) * 100).toFixed(1)} % (target ≥ 50 %)`,
      `CPU seconds per 1 000 records (median of rounds; Postgres = the backends of the benchmark's database): bare ${cpuLine(cpu.bare, total, 'this process')}; pipeline ${cpuLine(cpu.pipeline, total, 'worker process')}`,
      `where a transaction's time goes (the same work in-process, ${process.env.WORKER_BATCH_MESSAGES ?? 4} messages per transaction, one at a time): ${stepShares(steps)}`,
    ],
  };
}

function cpuLine(
  samples: readonly { node: number; postgres: number }[],
  records: number,
  node: string,
): string {
  const per = (values: number[]) => ((median(values) / records) * 1000).toFixed(3);
  const total = samples.map((s) => s.node + s.postgres);
  return `${node} ${per(samples.map((s) => s.node))} + Postgres ${per(samples.map((s) => s.postgres))} = ${per(total)}`;
}

function stepShares(steps: ReadonlyMap<LoadStep, number>): string {
  const total = [...steps.values()].reduce((sum, ms) => sum + ms, 0);
  const label: Record<LoadStep, string> = {
    claim: 'claim (UPDATE … RETURNING the raw rows as text)',
    transform: 'transform (JSON.parse, projection to the paths read, zod, mapping)',
    settle: 'settle (upsert + raw status + outbox + job counters, one statement)',
    commit: 'commit',
  };
  return (
    [...steps].map(([step, ms]) => `${label[step]} ${((ms / total) * 100).toFixed(0)} %`).join(', ') +
    ` of ${(total / 1000).toFixed(1)} s`
  );
}

/** Worker processes for the transform/load benchmark (BENCH_WORKER_PROCESSES, default 1). */
function workerProcesses(): number {
  return Number(process.env.BENCH_WORKER_PROCESSES ?? 1);
}
