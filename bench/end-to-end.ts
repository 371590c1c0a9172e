import { mkdtemp, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import { hearPoolErrors } from '@tributary/db';
import type { ServiceName, Stack } from '../scripts/stack.ts';
import { seedDemo } from '../scripts/seed-demo.ts';
import {
  benchDatabase,
  benchStack,
  benchWorkers,
  copyFromFile,
  copyToFile,
  cpuSeconds,
  PostgresCpu,
  timed,
  type BenchResult,
  type BenchStack,
} from './support.ts';

/** Peak resident set of a process (VmHWM), in MB. */
function peakRssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function waitJobs(
  stack: Stack,
  token: string,
  jobs: number[],
  onTick: () => Promise<void>,
): Promise<void> {
  for (;;) {
    await onTick();
    const states = await Promise.all(
      jobs.map(async (id) => {
        const response = await fetch(`${stack.urls.backend}/api/v1/jobs/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return ((await response.json()) as { status: string; error: string | null }).status;
      }),
    );
    if (states.some((s) => s === 'FAILED' || s === 'CANCELLED'))
      throw new Error(`a job ended ${states.join(', ')}`);
    if (states.every((s) => s === 'FINISHED')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The stack both end-to-end runs use: 4 Jira projects and 4 repositories of the given sizes, the
 * source quota unlimited in effect. Not 0 ("no limit"): that makes the simulator's GraphQL
 * rateLimit.remaining overflow GraphQL's Int, and the connection test fails.
 */
function endToEndStack(
  databaseUrl: string,
  source: { issues: number; pulls: number },
  extract: Record<string, string> = {},
  simulator: Record<string, string> = {},
): Promise<BenchStack> {
  const workers = benchWorkers();
  return benchStack(databaseUrl, {
    backend: { DB_POOL_MAX: '8' },
    worker: { WORKER_MIN: workers, WORKER_MAX: workers },
    extract,
    simulator: {
      SIM_SEED: '11',
      SIM_JIRA_PROJECTS: '4',
      SIM_JIRA_ISSUES: String(source.issues),
      SIM_GITHUB_REPOS: '4',
      SIM_GITHUB_PRS: String(source.pulls),
      SIM_GITHUB_RATE_LIMIT: '1000000000',
      ...simulator,
    },
  });
}

/** One run of both demo integrations through real processes against a simulator with `latencyMs` per request. */
async function latencyRun(
  label: string,
  extract: Record<string, string>,
  source: { issues: number; pulls: number; latencyMs: number },
): Promise<{
  label: string;
  seconds: number;
  records: number;
  sourceRequests: number;
  pagesCalls: number;
  extraction: Record<string, number>;
}> {
  const db = await benchDatabase(`lat_${label}`);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  let bench: BenchStack | undefined;
  try {
    bench = await endToEndStack(db.url, source, extract, { SIM_LATENCY_MS: String(source.latencyMs) });
    const running = bench.stack;
    const seconds = await timed(async () => {
      const seeded = await seedDemo({
        backendUrl: running.urls.backend,
        adminToken: running.adminToken,
        simulatorUrl: running.urls.simulator,
      });
      await waitJobs(running, seeded.token, seeded.jobs, async () => undefined);
    });
    const stats = z
      .object({ total_requests: z.number() })
      .parse(await (await fetch(`${running.urls.simulator}/_sim/stats`)).json());
    const { rows } = await pool.query<{ records: number; pages: number }>(
      `select (select count(*)::int from raw_extraction_data) as records,
              (select coalesce(sum((s.value ->> 'pages')::int), 0)::int from etl_jobs j, jsonb_each(j.progress) s
                where jsonb_typeof(s.value) = 'object' and s.value ? 'pages') as pages`,
    );
    // Per source: claim → the last page stored (the extractor's part, which pipelining shortens).
    const { rows: jobs } = await pool.query<{ type: string; seconds: number }>(
      `select i.type, extract(epoch from j.extraction_finished_at - j.started_at)::float8 as seconds
       from etl_jobs j join integrations i on i.id = j.integration_id`,
    );
    return {
      label,
      seconds,
      extraction: Object.fromEntries(jobs.map((j) => [j.type, j.seconds])),
      records: rows[0]!.records,
      sourceRequests: stats.total_requests,
      pagesCalls: rows[0]!.pages,
    };
  } finally {
    await bench?.close();
    await pool.end();
    await db.drop();
  }
}

/**
 * The same first sync with a source that takes `latencyMs` per request (a real Jira or GitHub is
 * 100–300 ms away), pipelined (pages read ahead while one is stored, streams side by side) against
 * one page and one stream at a time, in the same session; and pipelined with each deployment's
 * statuses fetched after the last one's, to show what fetching a page's statuses at once adds.
 */
export async function benchEndToEndLatency(
  issues = 5000,
  pulls = 1000,
  latencyMs = 100,
): Promise<BenchResult> {
  const source = { issues, pulls, latencyMs };
  const sequential = await latencyRun(
    'seq',
    { EXTRACT_PAGES_IN_FLIGHT: '1', EXTRACT_STREAM_CONCURRENCY: '1', GITHUB_STATUS_CONCURRENCY: '1' },
    source,
  );
  // Pipelined but each deployment's statuses fetched after the last one's: what the statuses part adds.
  const oneStatus = await latencyRun('pipe1', { GITHUB_STATUS_CONCURRENCY: '1' }, source);
  const pipelined = await latencyRun('pipe', {}, source);
  const line = (r: typeof sequential) =>
    `${r.label}: ${r.seconds.toFixed(1)} s trigger → FINISHED, ${r.records} raw records (${(r.records / r.seconds).toFixed(0)} records/s), ` +
    `${r.sourceRequests} source requests, ${r.pagesCalls} pages (one backend call each); extraction Jira ${r.extraction.jira?.toFixed(1)} s, GitHub ${r.extraction.github?.toFixed(1)} s`;
  const ratio = (source: string) =>
    ((sequential.extraction[source] ?? NaN) / (pipelined.extraction[source] ?? NaN)).toFixed(2);
  return {
    name: `end to end with ${latencyMs} ms source latency`,
    lines: [
      `source: simulator with ${issues} Jira issues (4 projects) and ${pulls} PRs (4 repos), ${latencyMs} ms added to every request; both integrations at once`,
      line({
        ...sequential,
        label:
          'not pipelined (EXTRACT_PAGES_IN_FLIGHT=1, EXTRACT_STREAM_CONCURRENCY=1, GITHUB_STATUS_CONCURRENCY=1)',
      }),
      line({
        ...pipelined,
        label: 'pipelined (defaults: 2 pages in flight, 4 streams at once, 8 deployments’ statuses at once)',
      }),
      line({
        ...oneStatus,
        label: 'pipelined, statuses one deployment at a time (GITHUB_STATUS_CONCURRENCY=1)',
      }),
      `GitHub extraction, statuses at once / one at a time (both pipelined): ${((oneStatus.extraction.github ?? NaN) / (pipelined.extraction.github ?? NaN)).toFixed(2)} ×`,
      `speed-up pipelined / not: ${(sequential.seconds / pipelined.seconds).toFixed(2)} × trigger → FINISHED; extraction Jira ${ratio('jira')} ×, GitHub ${ratio('github')} ×`,
    ],
  };
}

const SERVICES: readonly ServiceName[] = ['simulator', 'extract', 'backend', 'worker'];

/** Tables the pipeline's transformers write: every public table with both `external_id` and `raw_id`. */
async function normalizedTables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    `select table_name from information_schema.columns where table_schema = 'public' and column_name = 'raw_id'
     intersect
     select table_name from information_schema.columns where table_schema = 'public' and column_name = 'external_id'
     order by 1`,
  );
  return rows.map((r) => r.table_name);
}

async function columnsOf(pool: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await pool.query<{ column_name: string }>(
    `select column_name from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

const perThousand = (seconds: number, records: number) => ((seconds / records) * 1000).toFixed(3);

/**
 * Simulator (no latency) → extract → raw-data API → RabbitMQ → worker → normalized
 * tables, as real processes, beside the Postgres ceiling measured in the same run: the
 * same raw rows (as the pipeline stored them) streamed in with binary `COPY`, plus the
 * same normalized rows `COPY`-ed into a staging table and upserted from it. Nothing of
 * either is held in this process's heap: both go through files. Also CPU seconds per
 * 1 000 raw records of each process, from /proc (stable where wall time is not).
 */
export async function benchEndToEnd(issues = 100_000, pulls = 20_000): Promise<BenchResult> {
  const db = await benchDatabase('e2e');
  const databaseName = new URL(db.url).pathname.slice(1);
  // Heard: dropping the database at the end ends its idle connections with an error event.
  const pool = hearPoolErrors(new pg.Pool({ connectionString: db.url, max: 4 }));
  const dumps = await mkdtemp(path.join(tmpdir(), 'tributary-e2e-'));
  let bench: BenchStack | undefined;
  try {
    bench = await endToEndStack(db.url, { issues, pulls });
    const running = bench.stack;
    const postgresCpu = new PostgresCpu(pool, databaseName);
    await postgresCpu.sample();
    const cpuBefore = SERVICES.map((name) => cpuSeconds(running.process(name)?.pid));
    const elapsed = await timed(async () => {
      const seeded = await seedDemo({
        backendUrl: running.urls.backend,
        adminToken: running.adminToken,
        simulatorUrl: running.urls.simulator,
      });
      await waitJobs(running, seeded.token, seeded.jobs, () => postgresCpu.sample());
    });
    await postgresCpu.sample();
    const cpuUsed = SERVICES.map(
      (name, i) => cpuSeconds(running.process(name)?.pid) - (cpuBefore[i] ?? Number.NaN),
    );
    const extractRss = peakRssMb(running.process('extract')?.pid);
    await bench.close();
    bench = undefined;

    // What the pipeline wrote, dumped to files (not timed) for the ceiling to write again.
    const { rows: counted } = await pool.query<{ n: number }>(
      'select count(*)::int as n from raw_extraction_data',
    );
    const records = counted[0]?.n ?? 0;
    const rawColumns = await columnsOf(pool, 'raw_extraction_data');
    const file = (name: string) => path.join(dumps, `${name}.bin`);
    const binary = (table: string, columns: readonly string[]) =>
      copyToFile(
        pool,
        `copy (select ${columns.join(', ')} from ${table} order by 1) to stdout (format binary)`,
        file(table),
      );
    const setupTables = ['tenants', 'integrations', 'etl_jobs'];
    for (const table of setupTables) await binary(table, await columnsOf(pool, table));
    await binary('raw_extraction_data', rawColumns);
    const tables: { name: string; columns: string[]; rows: number }[] = [];
    for (const name of await normalizedTables(pool)) {
      const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from ${name}`);
      const n = rows[0]?.n ?? 0;
      if (n === 0) continue;
      const columns = await columnsOf(pool, name);
      await binary(name, columns);
      tables.push({ name, columns, rows: n });
    }
    const normalizedRows = tables.reduce((sum, t) => sum + t.rows, 0);
    const rawBytes = (await stat(file('raw_extraction_data'))).size;

    const ceilingDb = await benchDatabase('ceiling');
    // One connection holds the COPYs; the other answers catalog queries meanwhile.
    const ceiling = hearPoolErrors(new pg.Pool({ connectionString: ceilingDb.url, max: 2 }));
    const client = await ceiling.connect();
    try {
      for (const table of setupTables) {
        await copyFromFile(
          client,
          `copy ${table} (${(await columnsOf(ceiling, table)).join(', ')}) from stdin (format binary)`,
          file(table),
        );
      }
      const { rows: backend } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      const ceilingPid = backend[0]?.pid;
      const ceilingCpuBefore = cpuSeconds(ceilingPid);
      const rawWrite = await timed(() =>
        copyFromFile(
          client,
          `copy raw_extraction_data (${rawColumns.join(', ')}) from stdin (format binary)`,
          file('raw_extraction_data'),
        ),
      );
      const upsertWrite = await timed(async () => {
        for (const table of tables) {
          const stage = `stage_${table.name}`;
          await client.query(`create temp table ${stage} (like ${table.name})`);
          await copyFromFile(
            client,
            `copy ${stage} (${table.columns.join(', ')}) from stdin (format binary)`,
            file(table.name),
          );
          const updates = table.columns
            .filter((c) => !['id', 'tenant_id', 'integration_id', 'external_id'].includes(c))
            .map((c) => `${c} = excluded.${c}`);
          await client.query(
            `insert into ${table.name} (${table.columns.join(', ')}) select ${table.columns.join(', ')} from ${stage}
             on conflict (tenant_id, integration_id, external_id) do update set ${updates.join(', ')}`,
          );
          await client.query(`drop table ${stage}`);
        }
      });
      const ceilingCpu = cpuSeconds(ceilingPid) - ceilingCpuBefore;
      const pipelineRate = records / elapsed;
      const ceilingRate = records / (rawWrite + upsertWrite);
      const pipelineCpu = cpuUsed.reduce((sum, s) => sum + s, 0) + postgresCpu.total();
      return {
        name: 'end to end',
        lines: [
          `source: simulator with ${issues} Jira issues (4 projects) and ${pulls} PRs (4 repos), no latency; ${records} raw records stored (issues, changelogs, PRs, reviews, comments, commits, …), ${normalizedRows} normalized rows in ${tables.length} tables`,
          `pipeline (both integrations, trigger → FINISHED, real processes): ${pipelineRate.toFixed(0)} records/s (${elapsed.toFixed(1)} s)`,
          `Postgres ceiling (binary COPY of the same raw rows, ${(rawBytes / 2 ** 20).toFixed(0)} MB, ${rawWrite.toFixed(1)} s + COPY into staging and upsert of the same normalized rows ${upsertWrite.toFixed(1)} s): ${ceilingRate.toFixed(0)} records/s`,
          `ratio pipeline / ceiling: ${((pipelineRate / ceilingRate) * 100).toFixed(1)} % (target ≥ 50 %)`,
          `CPU seconds per 1 000 raw records: ${SERVICES.map((name, i) => `${name} ${perThousand(cpuUsed[i] ?? Number.NaN, records)}`).join(', ')}, Postgres backends ${perThousand(postgresCpu.total(), records)}; pipeline total ${perThousand(pipelineCpu, records)}; ceiling (its one Postgres backend) ${perThousand(ceilingCpu, records)}`,
          `extractor peak RSS: ${extractRss.toFixed(0)} MB (target < 256 MB)`,
        ],
      };
    } finally {
      client.release();
      await ceiling.end();
      await ceilingDb.drop();
    }
  } finally {
    await bench?.close();
    await pool.end();
    await db.drop();
    await rm(dumps, { recursive: true, force: true });
  }
}
