import pg from 'pg';
import { seedDemo } from '../scripts/seed-demo.ts';
import { benchDatabase, benchStack, type BenchResult, type BenchStack } from './support.ts';

interface Size {
  rows: number;
  entities: number;
  maxVersions: number;
  mb: number;
}

async function waitJobs(backendUrl: string, token: string, jobs: number[]): Promise<void> {
  for (;;) {
    const states = await Promise.all(
      jobs.map(async (id) => {
        const response = await fetch(`${backendUrl}/api/v1/jobs/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return ((await response.json()) as { status: string }).status;
      }),
    );
    if (states.some((s) => s === 'FAILED' || s === 'CANCELLED'))
      throw new Error(`a job ended ${states.join(', ')}`);
    if (states.every((s) => s === 'FINISHED')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function size(pool: pg.Pool): Promise<Size> {
  // VACUUM so the size counts live rows, not space a later insert would reuse anyway.
  await pool.query('vacuum raw_extraction_data');
  const { rows } = await pool.query<{ rows: number; entities: number; max_versions: number; bytes: number }>(
    `select (select count(*)::int from raw_extraction_data) as rows,
            (select count(*)::int from (select distinct integration_id, entity_type, external_id from raw_extraction_data) e) as entities,
            (select coalesce(max(n), 0)::int from (select count(*) n from raw_extraction_data group by integration_id, entity_type, external_id) v) as max_versions,
            (select sum(pg_total_relation_size(inhrelid))::bigint from pg_inherits where inhparent = 'raw_extraction_data'::regclass) as bytes`,
  );
  const row = rows[0]!;
  return {
    rows: row.rows,
    entities: row.entities,
    maxVersions: row.max_versions,
    mb: row.bytes / 1024 / 1024,
  };
}

/** A full run, then 3 incremental runs each after `changed` issues and changed/5 PRs changed at the source. */
async function scenario(keepVersions: number, issues: number, pulls: number, changed: number): Promise<Size> {
  const db = await benchDatabase('retention');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  let bench: BenchStack | undefined;
  try {
    bench = await benchStack(db.url, {
      worker: { RAW_KEEP_VERSIONS: String(keepVersions), RAW_PRUNE_INTERVAL_SECONDS: '1' },
      simulator: {
        SIM_SEED: '11',
        SIM_JIRA_ISSUES: String(issues),
        SIM_GITHUB_PRS: String(pulls),
        SIM_GITHUB_RATE_LIMIT: '10000000',
      },
    });
    const stack = bench.stack;
    const seeded = await seedDemo({
      backendUrl: stack.urls.backend,
      adminToken: stack.adminToken,
      simulatorUrl: stack.urls.simulator,
    });
    await waitJobs(stack.urls.backend, seeded.token, seeded.jobs);
    for (let round = 0; round < 3; round++) {
      await fetch(`${stack.urls.simulator}/_sim/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ issues: changed, pull_requests: Math.ceil(changed / 5) }),
      });
      const jobs: number[] = [];
      for (const id of [seeded.integrations.jira, seeded.integrations.github]) {
        const response = await fetch(`${stack.urls.backend}/api/v1/integrations/${id}/runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        jobs.push(((await response.json()) as { job_id: number }).job_id);
      }
      await waitJobs(stack.urls.backend, seeded.token, jobs);
    }
    if (keepVersions > 0) {
      // The pruner runs every second: wait until it has caught up with the last run.
      for (;;) {
        const now = await size(pool);
        if (now.maxVersions <= keepVersions) return now;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    return await size(pool);
  } finally {
    await bench?.close();
    await pool.end();
    await db.drop();
  }
}

/** Size of raw_extraction_data after a full and 3 incremental runs, without and with retention. */
export async function benchRawRetention(issues = 2000, pulls = 200, changed = 500): Promise<BenchResult> {
  const without = await scenario(0, issues, pulls, changed);
  const kept = await scenario(2, issues, pulls, changed);
  const line = (what: string, s: Size) =>
    `${what}: ${s.rows} rows for ${s.entities} entities (at most ${s.maxVersions} versions of one), ${s.mb.toFixed(1)} MB after VACUUM`;
  return {
    name: 'raw retention',
    lines: [
      `source: ${issues} Jira issues + ${pulls} PRs; a full run, then 3 × (${changed} issues and ${Math.ceil(changed / 5)} PRs change → incremental run of both integrations)`,
      line('RAW_KEEP_VERSIONS=0 (keep all)', without),
      line('RAW_KEEP_VERSIONS=2', kept),
    ],
  };
}
