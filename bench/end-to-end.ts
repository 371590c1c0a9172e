import { readFileSync } from 'node:fs';
import pg from 'pg';
import { z } from 'zod';
import type { Stack } from '../scripts/stack.ts';
import { seedDemo } from '../scripts/seed-demo.ts';
import { transformerFor } from '../services/backend/src/workers/transformers/index.ts';
import type { EntityType } from '@tributary/contracts';
import { benchDatabase, benchStack, benchWorkers, timed, type BenchResult, type BenchStack } from './support.ts';


/** Peak resident set of a process (VmHWM), in MB. */
function peakRssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function waitJobs(stack: Stack, token: string, jobs: number[]): Promise<void> {
  for (;;) {
    const states = await Promise.all(
      jobs.map(async (id) => {
        const response = await fetch(`${stack.urls.backend}/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } });
        return ((await response.json()) as { status: string; error: string | null }).status;
      }),
    );
    if (states.some((s) => s === 'FAILED' || s === 'CANCELLED')) throw new Error(`a job ended ${states.join(', ')}`);
    if (states.every((s) => s === 'FINISHED')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** One run of both demo integrations through real processes against a simulator with `latencyMs` per request. */
async function latencyRun(
  label: string,
  extract: Record<string, string>,
  source: { issues: number; pulls: number; latencyMs: number },
): Promise<{ label: string; seconds: number; records: number; sourceRequests: number; pagesCalls: number; extraction: Record<string, number> }> {
  const db = await benchDatabase(`lat_${label}`);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  let bench: BenchStack | undefined;
  try {
    const workers = benchWorkers();
    bench = await benchStack(db.url, {
      backend: { DB_POOL_MAX: '8' },
      worker: { WORKER_MIN: workers, WORKER_MAX: workers },
      extract,
      simulator: {
        SIM_SEED: '11',
        SIM_JIRA_PROJECTS: '4',
        SIM_JIRA_ISSUES: String(source.issues),
        SIM_GITHUB_REPOS: '4',
        SIM_GITHUB_PRS: String(source.pulls),
        // Effectively unlimited; 0 ("no limit") makes the simulator's GraphQL rateLimit.remaining
        // overflow GraphQL's Int, and the connection test fails.
        SIM_GITHUB_RATE_LIMIT: '1000000000',
        SIM_LATENCY_MS: String(source.latencyMs),
      },
    });
    const running = bench.stack;
    const seconds = await timed(async () => {
      const seeded = await seedDemo({ backendUrl: running.urls.backend, adminToken: running.adminToken, simulatorUrl: running.urls.simulator });
      await waitJobs(running, seeded.token, seeded.jobs);
    });
    const stats = z.object({ total_requests: z.number() }).parse(await (await fetch(`${running.urls.simulator}/_sim/stats`)).json());
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
 * one page and one stream at a time, in the same session.
 */
export async function benchEndToEndLatency(issues = 5000, pulls = 1000, latencyMs = 100): Promise<BenchResult> {
  const source = { issues, pulls, latencyMs };
  const sequential = await latencyRun('seq', { EXTRACT_PAGES_IN_FLIGHT: '1', EXTRACT_STREAM_CONCURRENCY: '1' }, source);
  const pipelined = await latencyRun('pipe', {}, source);
  const line = (r: typeof sequential) =>
    `${r.label}: ${r.seconds.toFixed(1)} s trigger → FINISHED, ${r.records} raw records (${(r.records / r.seconds).toFixed(0)} records/s), ` +
    `${r.sourceRequests} source requests, ${r.pagesCalls} pages (one backend call each); extraction Jira ${r.extraction.jira?.toFixed(1)} s, GitHub ${r.extraction.github?.toFixed(1)} s`;
  const ratio = (source: string) => ((sequential.extraction[source] ?? NaN) / (pipelined.extraction[source] ?? NaN)).toFixed(2);
  return {
    name: `end to end with ${latencyMs} ms source latency`,
    lines: [
      `source: simulator with ${issues} Jira issues (4 projects) and ${pulls} PRs (4 repos), ${latencyMs} ms added to every request; both integrations at once`,
      line({ ...sequential, label: 'not pipelined (EXTRACT_PAGES_IN_FLIGHT=1, EXTRACT_STREAM_CONCURRENCY=1)' }),
      line({ ...pipelined, label: 'pipelined (defaults: 2 pages in flight, 4 streams at once)' }),
      `speed-up pipelined / not: ${(sequential.seconds / pipelined.seconds).toFixed(2)} × trigger → FINISHED; extraction Jira ${ratio('jira')} ×, GitHub ${ratio('github')} ×`,
    ],
  };
}

/**
 * Simulator (no latency) → extract → raw-data API → RabbitMQ → worker → normalized
 * tables, as real processes, beside the Postgres "two-write ceiling": the same raw
 * rows inserted bare plus the same normalized rows upserted bare, in the same run.
 */
export async function benchEndToEnd(issues = 100_000, pulls = 20_000): Promise<BenchResult> {
  const db = await benchDatabase('e2e');
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  let bench: BenchStack | undefined;
  try {
    const workers = benchWorkers();
    bench = await benchStack(db.url, {
      backend: { DB_POOL_MAX: '8' },
      worker: { WORKER_MIN: workers, WORKER_MAX: workers },
      simulator: {
        SIM_SEED: '11',
        SIM_JIRA_PROJECTS: '4',
        SIM_JIRA_ISSUES: String(issues),
        SIM_GITHUB_REPOS: '4',
        SIM_GITHUB_PRS: String(pulls),
        // Effectively unlimited; 0 ("no limit") makes the simulator's GraphQL rateLimit.remaining
        // overflow GraphQL's Int, and the connection test fails.
        SIM_GITHUB_RATE_LIMIT: '1000000000',
      },
    });
    const running = bench.stack;
    let jobs: number[] = [];
    let token = '';
    const elapsed = await timed(async () => {
      const seeded = await seedDemo({ backendUrl: running.urls.backend, adminToken: running.adminToken, simulatorUrl: running.urls.simulator });
      jobs = seeded.jobs;
      token = seeded.token;
      await waitJobs(running, token, jobs);
    });
    const extractRss = peakRssMb(running.process('extract')?.pid);
    const raw = await pool.query<{ id: number; tenant_id: number; integration_id: number; entity_type: EntityType; external_id: string; raw_data: Record<string, unknown>; extraction_metadata: Record<string, unknown>; content_hash: string }>(
      'select id, tenant_id, integration_id, entity_type, external_id, raw_data, extraction_metadata, content_hash from raw_extraction_data order by id',
    );
    const records = raw.rows.length;
    await bench.close();
    bench = undefined;

    // The ceiling, on a fresh copy of the schema: both writes, bare, batches of 500.
    const ceilingDb = await benchDatabase('ceiling');
    const ceiling = new pg.Pool({ connectionString: ceilingDb.url, max: 2 });
    try {
      await ceiling.query(`insert into tenants (id, name) select distinct tenant_id, 't' from unnest($1::bigint[]) as tenant_id`, [[...new Set(raw.rows.map((r) => r.tenant_id))]]);
      await ceiling.query(
        `insert into integrations (id, tenant_id, type, name, base_url, credentials_encrypted, credentials_key_id, config)
         select i, t, 'jira', 'x', 'http://x', 'x', 'x', '{}' from unnest($1::bigint[], $2::bigint[]) as u(i, t)`,
        [[...new Set(raw.rows.map((r) => r.integration_id))], [...new Map(raw.rows.map((r) => [r.integration_id, r.tenant_id])).values()]],
      );
      const normalized = raw.rows.flatMap((row) =>
        transformerFor(row.entity_type)
          .transform(row.raw_data, { rawId: row.id, externalId: row.external_id, metadata: row.extraction_metadata })
          .map((n) => ({ ...n, rawId: row.id, tenantId: row.tenant_id, integrationId: row.integration_id })),
      );
      const rawWrite = await timed(async () => {
        for (let i = 0; i < raw.rows.length; i += 500) {
          const chunk = raw.rows.slice(i, i + 500);
          const values: unknown[] = [];
          const tuples = chunk.map((r, j) => {
            values.push(r.tenant_id, r.integration_id, r.entity_type, r.external_id, r.raw_data, r.extraction_metadata, r.content_hash);
            return `(${[1, 2, 3, 4, 5, 6, 7].map((k) => `$${j * 7 + k}`).join(',')})`;
          });
          await ceiling.query(
            `insert into raw_extraction_data (tenant_id, integration_id, entity_type, external_id, raw_data, extraction_metadata, content_hash) values ${tuples.join(',')}`,
            values,
          );
        }
      });
      const byTable = new Map<string, typeof normalized>();
      for (const row of normalized) {
        const list = byTable.get(row.table);
        if (list) list.push(row);
        else byTable.set(row.table, [row]);
      }
      const upsertWrite = await timed(async () => {
        for (const [table, rows] of byTable) {
          const unique = [...new Map(rows.map((r) => [`${r.integrationId}:${r.externalId}`, r])).values()];
          for (let i = 0; i < unique.length; i += 500) {
            const chunk = unique.slice(i, i + 500);
            const columns = [...new Set(chunk.flatMap((r) => Object.keys(r.columns)))];
            const all = ['tenant_id', 'integration_id', 'external_id', 'raw_id', ...columns];
            const values: unknown[] = [];
            const tuples = chunk.map((r, j) => {
              values.push(r.tenantId, r.integrationId, r.externalId, r.rawId, ...columns.map((c) => r.columns[c] ?? null));
              return `(${all.map((_, k) => `$${j * all.length + k + 1}`).join(',')})`;
            });
            await ceiling.query(
              `insert into ${table} (${all.join(',')}) values ${tuples.join(',')}
               on conflict (tenant_id, integration_id, external_id) do update set ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`,
              values,
            );
          }
        }
      });
      const pipelineRate = records / elapsed;
      const ceilingRate = records / (rawWrite + upsertWrite);
      return {
        name: 'end to end',
        lines: [
          `source: simulator with ${issues} Jira issues (4 projects) and ${pulls} PRs (4 repos), no latency; ${records} raw records stored (issues, changelogs, PRs, reviews, comments, commits, …)`,
          `pipeline (both integrations, trigger → FINISHED, real processes): ${pipelineRate.toFixed(0)} records/s (${elapsed.toFixed(1)} s)`,
          `Postgres two-write ceiling (bare raw insert ${rawWrite.toFixed(1)} s + bare normalized upsert ${upsertWrite.toFixed(1)} s): ${ceilingRate.toFixed(0)} records/s`,
          `ratio pipeline / ceiling: ${((pipelineRate / ceilingRate) * 100).toFixed(1)} % (target ≥ 50 %)`,
          `extractor peak RSS: ${extractRss.toFixed(0)} MB (target < 256 MB)`,
        ],
      };
    } finally {
      await ceiling.end();
      await ceilingDb.drop();
    }
  } finally {
    await bench?.close();
    await pool.end();
    await db.drop();
  }
}
