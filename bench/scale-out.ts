import pg from 'pg';
import { seedDemo } from '../scripts/seed-demo.ts';
import { startReplica, type Replica } from '../tests/scale/support/replicas.ts';
import { benchDatabase, benchStack, timed, type BenchResult, type BenchStack } from './support.ts';

interface Shape {
  workers: number;
  extractors: number;
}

async function waitJobs(backendUrl: string, runs: { token: string; jobs: number[] }[]): Promise<void> {
  for (;;) {
    const states = (
      await Promise.all(
        runs.flatMap(({ token, jobs }) =>
          jobs.map(async (id) => {
            const response = await fetch(`${backendUrl}/api/v1/jobs/${id}`, {
              headers: { authorization: `Bearer ${token}` },
            });
            return ((await response.json()) as { status: string }).status;
          }),
        ),
      )
    ).flat();
    if (states.some((s) => s === 'FAILED' || s === 'CANCELLED'))
      throw new Error(`a job ended ${states.join(', ')}`);
    if (states.every((s) => s === 'FINISHED')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** One end-to-end run of 4 jobs (2 tenants × Jira + GitHub) with this many worker and extractor processes. */
async function runShape(
  shape: Shape,
  issues: number,
  pulls: number,
): Promise<{ records: number; seconds: number }> {
  const db = await benchDatabase('scale');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  let bench: BenchStack | undefined;
  const replicas: Replica[] = [];
  try {
    // One job per extractor process at a time and 20 ms per source request (a network round
    // trip), so a second extractor can only help by running a second job; two concurrent
    // batches per worker process.
    bench = await benchStack(db.url, {
      backend: { DB_POOL_MAX: '8' },
      worker: { WORKER_MIN: '2', WORKER_MAX: '2', DB_POOL_MAX: '4' },
      extract: { EXTRACT_CONCURRENCY: '1' },
      simulator: {
        SIM_SEED: '11',
        SIM_JIRA_PROJECTS: '2',
        SIM_JIRA_ISSUES: String(issues),
        SIM_GITHUB_REPOS: '2',
        SIM_GITHUB_PRS: String(pulls),
        SIM_GITHUB_RATE_LIMIT: '10000000',
        SIM_LATENCY_MS: '20',
      },
    });
    const stack = bench.stack;
    for (let i = 1; i < shape.workers; i++)
      replicas.push(await startReplica(stack, 'worker', `worker${i + 1}`));
    for (let i = 1; i < shape.extractors; i++)
      replicas.push(await startReplica(stack, 'extract', `extract${i + 1}`));
    const seconds = await timed(async () => {
      const runs = [];
      for (let tenant = 0; tenant < 2; tenant++) {
        runs.push(
          await seedDemo({
            backendUrl: stack.urls.backend,
            adminToken: stack.adminToken,
            simulatorUrl: stack.urls.simulator,
          }),
        );
      }
      await waitJobs(stack.urls.backend, runs);
    });
    const records = (await pool.query<{ n: number }>('select count(*)::int as n from raw_extraction_data'))
      .rows[0]!.n;
    return { records, seconds };
  } finally {
    for (const replica of replicas) await replica.stop();
    await bench?.close();
    await pool.end();
    await db.drop();
  }
}

/**
 * Scale-out on one machine: the same 4 runs (2 tenants × Jira + GitHub, trigger →
 * FINISHED) with 1 or 2 worker processes and 1 or 2 extractor processes.
 */
export async function benchScaleOut(issues = 3000, pulls = 300): Promise<BenchResult> {
  const shapes: Shape[] = [
    { workers: 1, extractors: 1 },
    { workers: 2, extractors: 1 },
    { workers: 1, extractors: 2 },
    { workers: 2, extractors: 2 },
  ];
  const lines = [
    `source: simulator, 2 tenants × (${issues} Jira issues in 2 projects + ${pulls} PRs in 2 repos), 20 ms per request; 4 jobs; EXTRACT_CONCURRENCY=1, 2 batches per worker`,
  ];
  for (const shape of shapes) {
    const { records, seconds } = await runShape(shape, issues, pulls);
    lines.push(
      `${shape.workers} worker(s), ${shape.extractors} extractor(s): ${(records / seconds).toFixed(0)} records/s (${records} raw records in ${seconds.toFixed(1)} s)`,
    );
  }
  return { name: 'scale-out (worker and extractor processes)', lines };
}
