import { randomBytes } from 'node:crypto';
import { expect, inject } from 'vitest';
import pg from 'pg';
import { hearPoolErrors } from '@tributary/db';
import { startStack, type ServiceName, type Stack } from '../../../scripts/stack.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { deleteQueues } from '../../support/backend.ts';
import { ApiClient } from '../../support/api-client.ts';
import { waitFor } from '../../support/wait.ts';
import { registerIntegration } from '../../support/runs.ts';
import { simulatorGithub, simulatorJira } from '../../support/simulator-integrations.ts';
import { expectGithubValuesMatchTruth, expectJiraValuesMatchTruth } from '../../support/truth-values.ts';
import { onEmergencyExit, signal } from './cleanup.ts';
import { queueDepths } from './queues.ts';
import type { Truth } from '../../support/truth.ts';

export interface Job {
  id: number;
  status: string;
  error: string | null;
  pause_reason?: string | null;
  records_extracted?: number;
  records_transformed?: number;
  records_failed?: number;
}

export type Source = 'jira' | 'github';

export const TIERS = '200,400,800';
const TERMINAL = ['FINISHED', 'FAILED', 'CANCELLED'];

export interface FaultStackOptions {
  /** Own broker (a test that kills it); default the shared one with a random prefix. */
  amqpUrl?: string;
  /** Own Postgres (a test that stops it); default a clone of the migrated template on the shared server. */
  databaseUrl?: string;
  simulator?: Record<string, string>;
  env?: Partial<Record<Exclude<ServiceName, 'simulator'>, Record<string, string>>>;
}

/**
 * The whole pipeline as real processes (scripts/stack.ts) on short retry tiers,
 * plus what a fault test needs around it: a tenant, integrations on the
 * simulator, a pool for assertions (tolerant of the database going away), and
 * the "matches the source, nothing lost, nothing twice" assertions.
 */
export interface FaultStack {
  stack: Stack;
  pool: pg.Pool;
  api: ApiClient;
  sim: ApiClient;
  databaseUrl: string;
  amqpUrl: string;
  prefix: string;
  truth: () => Promise<Truth>;
  /** Registers, tests and enables an integration on the simulator, for the harness's tenant or the one `as` speaks for. */
  register: (source: Source, as?: ApiClient) => Promise<number>;
  /** Starts a run; returns the job id. */
  startRun: (integrationId: number, body?: object) => Promise<number>;
  job: (jobId: number) => Promise<Job>;
  /** Waits for the job to end (FINISHED, FAILED, CANCELLED); throws after `timeoutMs`. */
  waitJob: (jobId: number, timeoutMs?: number) => Promise<Job>;
  count: (sql: string, params?: unknown[]) => Promise<number>;
  /** How many Jira issues of the job are stored (raw) so far. */
  issuesStored: (jobId: number) => Promise<number>;
  /** Waits until at least `atLeast` Jira issues of the job are stored: the middle of its run, where a fault goes. */
  waitIssuesStored: (jobId: number, atLeast: number) => Promise<void>;
  /** Rows of dead_letters (queue, routing key, reason), to compare with [] so a failure shows why. */
  deadLetters: () => Promise<{ queue: string; routing_key: string; reason: string; attempts: number }[]>;
  /**
   * For each integration given: its normalized rows equal the simulator's truth
   * (none lost, none twice), its raw rows are all completed and out of the
   * outbox, no entity's content is stored twice, and (unless told otherwise)
   * every raw row was transformed exactly once.
   */
  expectMatchesTruth: (
    integrations: Partial<Record<Source, number>>,
    options?: { transformedOnce?: boolean },
  ) => Promise<void>;
  /** The last lines each service logged (for failure messages). */
  logTail: (chars?: number) => string;
  close: () => Promise<void>;
}

export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  const sharedBroker = options.amqpUrl === undefined;
  const amqpUrl = options.amqpUrl ?? inject('amqpUrl');
  const prefix = `f_${randomBytes(4).toString('hex')}.`;
  let database: TestDatabase | undefined;
  const databaseUrl = options.databaseUrl ?? (database = await createTestDatabase()).url;
  const fast = { RETRY_TIERS_MS: TIERS, LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'warn' };
  let stack: Stack;
  try {
    stack = await startStack({
      databaseUrl,
      amqpUrl,
      queuePrefix: prefix,
      output: process.env.FAULT_LOG_INHERIT ? 'inherit' : 'collect',
      env: {
        // Extractor heartbeats every second; a silent one is taken over after 4 s.
        backend: {
          ...fast,
          SCHEDULER_TICK_SECONDS: '1',
          JOB_STALE_HEARTBEAT_SECONDS: '4',
          ...options.env?.backend,
        },
        worker: {
          ...fast,
          OUTBOX_RELAY_INTERVAL_SECONDS: '2',
          OUTBOX_RELAY_LEASE_SECONDS: '10',
          TRANSFORM_MAX_ATTEMPTS: '5',
          ...options.env?.worker,
        },
        extract: {
          ...fast,
          HEARTBEAT_SECONDS: '1',
          SOURCE_RETRY_BASE_MS: '100',
          SOURCE_RETRY_CAP_MS: '500',
          EXTERNAL_CB_TIMEOUT_SECONDS: '2',
          ...options.env?.extract,
        },
        simulator: {
          SIM_SEED: '11',
          SIM_JIRA_PROJECTS: '2',
          SIM_JIRA_ISSUES: '300',
          SIM_GITHUB_REPOS: '2',
          SIM_GITHUB_PRS: '40',
          ...options.simulator,
        },
      },
    });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  // Should the test process die without afterAll, the services die with it.
  const unregister = onEmergencyExit(() => {
    for (const name of ['extract', 'worker', 'backend', 'simulator'] as const)
      signal(stack.process(name)?.pid, 'SIGKILL');
  });
  // The database may be stopped under us: a dead client (idle or checked out) must not crash the test process.
  const pool = hearPoolErrors(
    new pg.Pool({ connectionString: databaseUrl, max: 3, connectionTimeoutMillis: 5000 }),
  );
  const admin = new ApiClient(stack.urls.backend, stack.adminToken);
  const tenant = await admin.ok<{ token: string }>('POST', '/api/v1/tenants', { name: 'faults' });
  const api = new ApiClient(stack.urls.backend, tenant.token);
  const sim = new ApiClient(stack.urls.simulator, 'unused');
  const truth = () => sim.ok<Truth>('GET', '/_sim/truth/summary');
  const count = async (sql: string, params: unknown[] = []) =>
    (await pool.query<{ n: number }>(`select count(*)::int as n from (${sql}) q`, params)).rows[0]!.n;
  const job = (jobId: number) => api.ok<Job>('GET', `/api/v1/jobs/${jobId}`);
  const issuesStored = (jobId: number) =>
    count(`select 1 from raw_extraction_data where job_id = $1 and entity_type = 'jira_issues'`, [jobId]);

  const logTail = (chars = 2500) =>
    (Object.entries(stack.logs) as [ServiceName, string[]][])
      .map(([name, lines]) => `--- ${name}\n${lines.join('').slice(-chars)}`)
      .join('\n');

  return {
    stack,
    pool,
    api,
    sim,
    databaseUrl,
    amqpUrl,
    prefix,
    truth,
    count,
    issuesStored,
    waitIssuesStored: async (jobId, atLeast) => {
      await waitFor(
        async () => (await issuesStored(jobId)) >= atLeast,
        60_000,
        `${atLeast} issues of job ${jobId} stored`,
      );
    },
    deadLetters: async () =>
      (
        await pool.query<{ queue: string; routing_key: string; reason: string; attempts: number }>(
          'select queue, routing_key, reason, attempts from dead_letters order by id',
        )
      ).rows,
    job,
    logTail,
    register: async (source, as = api) => {
      const t = await truth();
      return registerIntegration(
        as,
        source === 'jira' ? simulatorJira(stack.urls.simulator, t) : simulatorGithub(stack.urls.simulator, t),
      );
    },
    startRun: async (integrationId, body = {}) => {
      const started = await api.ok<{ job_id: number }>(
        'POST',
        `/api/v1/integrations/${integrationId}/runs`,
        body,
      );
      return started.job_id;
    },
    waitJob: (jobId, timeoutMs = 180_000) =>
      waitFor(
        async () => {
          const current = await job(jobId).catch(() => null);
          return current && TERMINAL.includes(current.status) ? current : null;
        },
        timeoutMs,
        `job ${jobId} to end`,
      ),
    expectMatchesTruth: async (integrations, { transformedOnce = true } = {}) => {
      const t = await truth();
      const expected: Record<string, number> = {};
      const tables: [string, number, number][] = [];
      if (integrations.jira !== undefined) {
        const id = integrations.jira;
        tables.push(
          ['jira_projects', id, t.jira.projects.length],
          ['jira_issues', id, t.jira.issues],
          ['jira_issue_transitions', id, t.jira.transitions],
        );
      }
      if (integrations.github !== undefined) {
        const id = integrations.github;
        tables.push(
          ['github_repositories', id, t.github.repositories.length],
          ['github_pull_requests', id, t.github.pull_requests],
          ['github_reviews', id, t.github.reviews],
          ['github_commits', id, t.github.commits],
          ['github_review_comments', id, t.github.review_comments],
        );
      }
      const counts: Record<string, number> = {};
      for (const [table, id, n] of tables) {
        counts[table] = await count(`select 1 from ${table} where integration_id = $1`, [id]);
        expected[table] = n;
      }
      // Lost: fewer rows than the source; duplicated: more (the unique keys forbid true duplicates).
      expect(counts).toEqual(expected);
      // Not only as many rows: the same values, field by field.
      if (integrations.jira !== undefined)
        await expectJiraValuesMatchTruth(pool, stack.urls.simulator, integrations.jira);
      if (integrations.github !== undefined)
        await expectGithubValuesMatchTruth(pool, stack.urls.simulator, integrations.github);
      const ids = Object.values(integrations);
      const raw = {
        not_completed: await count(
          `select 1 from raw_extraction_data where integration_id = any($1) and status <> 'completed'`,
          [ids],
        ),
        left_in_outbox: await count(`select 1 from raw_outbox where integration_id = any($1)`, [ids]),
        stored_twice: await count(
          `select 1 from raw_extraction_data where integration_id = any($1)
           group by integration_id, entity_type, external_id having count(*) > 1`,
          [ids],
        ),
        ...(transformedOnce
          ? {
              transformed_more_than_once: await count(
                `select 1 from raw_extraction_data where integration_id = any($1) and attempts <> 1`,
                [ids],
              ),
            }
          : {}),
      };
      expect(raw).toEqual({
        not_completed: 0,
        left_in_outbox: 0,
        stored_twice: 0,
        ...(transformedOnce ? { transformed_more_than_once: 0 } : {}),
      });
    },
    close: async () => {
      await stack.stop();
      unregister();
      await pool.end().catch(() => undefined);
      await database?.drop().catch(() => undefined);
      if (sharedBroker) await deleteQueues(amqpUrl, prefix, TIERS).catch(() => undefined);
    },
  };
}

/**
 * How a run hit by a fault must end: FINISHED with no failed records, the Jira integration's data
 * matching the source (expectMatchesTruth), each raw row of the job counted once in
 * records_transformed, no dead letters, and the extract, transform and dead queues drained.
 */
export async function expectSettled(fault: FaultStack, jobId: number, jira: number): Promise<void> {
  const job = await fault.waitJob(jobId, 240_000);
  expect(job).toMatchObject({ status: 'FINISHED', error: null, records_failed: 0 });
  await fault.expectMatchesTruth({ jira });
  expect(job.records_transformed).toBe(
    await fault.count('select 1 from raw_extraction_data where job_id = $1', [jobId]),
  );
  expect(await fault.deadLetters()).toEqual([]);
  await waitFor(
    async () => {
      const depths = await queueDepths(fault.amqpUrl, fault.prefix);
      return depths.extract + depths.transform + depths.dead === 0 ? depths : null;
    },
    30_000,
    'work queues to drain',
  );
}

/** Runs `fn` and, when it throws, appends the services' log tails to the error. */
export async function withLogs<T>(fault: FaultStack | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (fault && error instanceof Error) error.message += `\n${fault.logTail()}`;
    throw error;
  }
}

export { waitFor };
