import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startStack, type Stack } from '../../../scripts/stack.ts';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts';
import { deleteQueues } from '../../../tests/support/backend.ts';
import { ApiClient } from '../../../tests/support/api-client.ts';
import { runCli } from './cli.ts';
import { renderLines, watchJob, type WatchedJob } from './watch.ts';

const TIERS = '200,400,800';
const prefix = `t_${randomBytes(4).toString('hex')}.`;
let database: TestDatabase;
let stack: Stack;
let token: string;
let work: string;
let repositories: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  stack = await startStack({
    databaseUrl: database.url,
    amqpUrl: inject('amqpUrl'),
    queuePrefix: prefix,
    services: ['simulator', 'backend', 'worker', 'extract'],
    env: {
      backend: { RETRY_TIERS_MS: TIERS, LOG_LEVEL: 'warn' },
      worker: { RETRY_TIERS_MS: TIERS, LOG_LEVEL: 'warn' },
      extract: { RETRY_TIERS_MS: TIERS, LOG_LEVEL: 'warn' },
      simulator: { SIM_JIRA_ISSUES: '20', SIM_GITHUB_PRS: '6', SIM_GITHUB_REPOS: '2' },
    },
  });
  token = (
    await new ApiClient(stack.urls.backend, stack.adminToken).ok<{ token: string }>(
      'POST',
      '/api/v1/tenants',
      { name: 'cli' },
    )
  ).token;
  repositories = (
    await new ApiClient(stack.urls.simulator, 'x').ok<{ github: { repositories: string[] } }>(
      'GET',
      '/_sim/truth/summary',
    )
  ).github.repositories;
  work = await mkdtemp(join(tmpdir(), 'tributary-cli-'));
});

afterAll(async () => {
  await stack?.stop();
  await database?.drop();
  await deleteQueues(inject('amqpUrl'), prefix, TIERS);
  if (work) await rm(work, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = { TRIBUTARY_TOKEN: token }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { TRIBUTARY_URL: stack.urls.backend, ...env },
    fetch,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tributary for daily use, against a running stack', () => {
  let id: string;

  it('creates, tests, enables and lists an integration; --type is not case-sensitive', async () => {
    const created = await cli([
      'integrations',
      'create',
      '--type',
      'GitHub',
      '--name',
      'gh',
      '--base-url',
      stack.urls.simulator,
      '--credentials',
      '{"token":"sim-github-token"}',
      '--config',
      JSON.stringify({ repositories }),
    ]);
    expect(created.code).toBe(0);
    id = /created integration (\d+)/.exec(created.out)![1]!;
    expect(await cli(['integrations', 'enable', id])).toMatchObject({
      code: 1,
      err: expect.stringContaining('connection test') as unknown,
    });
    expect(await cli(['integrations', 'test', id])).toMatchObject({
      code: 0,
      out: `${id}: connection test passed`,
    });
    expect(await cli(['integrations', 'enable', id])).toMatchObject({ code: 0, out: `${id}: enabled` });
    const listed = await cli(['integrations', 'list']);
    expect(listed.out).toContain(`${id}\tgithub\tgh\tenabled`);
    const shown = await cli(['integrations', 'show', id, '--json']);
    expect(JSON.parse(shown.out)).toMatchObject({ id: Number(id), enabled: true, has_credentials: true });
  });

  it('a failing connection test exits 1 and says why, naming the repository', async () => {
    const created = await cli([
      'integrations',
      'create',
      '--type',
      'github',
      '--name',
      'wrong',
      '--base-url',
      stack.urls.simulator,
      '--credentials',
      '{"token":"sim-github-token"}',
      '--config',
      '{"repositories":["nobody/missing"]}',
    ]);
    const wrong = /created integration (\d+)/.exec(created.out)![1]!;
    const tested = await cli(['integrations', 'test', wrong, id]);
    expect(tested.code).toBe(1);
    expect(tested.err).toContain(`${wrong}: connection test failed [CONFIG_INVALID]`);
    expect(tested.err).toContain('nobody/missing');
    expect(tested.out).toContain(`${id}: connection test passed`);
  });

  it('runs with --watch: plain progress lines when not a terminal, ending with the final state', async () => {
    const run = await cli(['integrations', 'run', id, '--watch', '--interval', '200']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const lines = run.out.split('\n');
    expect(lines.at(-1)).toMatch(/^job \d+ FINISHED$/);
    expect(run.out).toMatch(
      /pull_requests +\[#{20}\] done +.*github_pull_requests \d+ seen, \d+ new, 0 unchanged/,
    );
  });

  it('lists jobs with a lower-case status, and pauses/resumes/cancels by id with exit 1 when any id fails', async () => {
    const finished = await cli(['jobs', 'list', '--status', 'finished', '--json']);
    expect(finished.code).toBe(0);
    const jobs = (JSON.parse(finished.out) as { jobs: { id: number; status: string }[] }).jobs;
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.status === 'FINISHED')).toBe(true);
    const cancelled = await cli(['jobs', 'cancel', String(jobs[0]!.id), '999999']);
    expect(cancelled.code).toBe(1);
    expect(cancelled.err).toContain(`${jobs[0]!.id}: 409`);
    expect(cancelled.err).toContain('999999: 404');
    const { out } = await cli(['run', id]);
    const jobId = /job (\d+)/.exec(out)![1]!;
    const paused = await cli(['jobs', 'pause', jobId]);
    // The run may have finished already; a pause then is refused (409), otherwise PAUSED.
    const resumed = paused.code === 0 ? await cli(['jobs', 'resume', jobId]) : undefined;
    expect([
      { paused: `${jobId}: PAUSED`, resumed: { code: 0, out: `${jobId}: RUNNING` } },
      { paused: '', resumed: undefined },
    ]).toContainEqual({ paused: paused.out, resumed: resumed && { code: resumed.code, out: resumed.out } });
    expect((await cli(['jobs', 'watch', jobId, '--interval', '200'])).code).toBe(0);
  });

  it('dead-letter replay of ids that do not exist exits 1', async () => {
    const replay = await cli(['dead-letters', 'replay', '999998', '999999']);
    expect(replay).toMatchObject({
      code: 1,
      out: expect.stringContaining('skipped 999998: not found') as unknown,
    });
  });

  it('takes the token from a file (TRIBUTARY_TOKEN_FILE or --token-file)', async () => {
    const file = join(work, 'token');
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    expect((await cli(['integrations', 'list'], { TRIBUTARY_TOKEN_FILE: file })).code).toBe(0);
    expect((await cli(['integrations', 'list', '--token-file', file], {})).code).toBe(0);
    expect(await cli(['integrations', 'list', '--token-file', join(work, 'missing')], {})).toMatchObject({
      code: 2,
    });
  });
});

describe('watch on a terminal', () => {
  const job = (status: string, seen: number): WatchedJob => ({
    id: 7,
    status,
    streams: ['projects', 'issues'],
    progress: {
      projects: { pages: 1, entities: { jira_projects: { seen: 2, new: 2, unchanged: 0, failed: 0 } } },
      issues: {
        pages: 2,
        entities: {
          jira_issues: { seen, new: seen, unchanged: 0, failed: 0 },
          jira_changelogs: { seen, new: seen, unchanged: 0, failed: 0 },
        },
      },
    },
    error: null,
    error_code: null,
    extraction_finished_at: status === 'RUNNING' ? null : '2026-01-01T00:00:00Z',
    records_transformed: seen,
  });

  it('redraws the stream lines in place, with per-stream rates, and ends with the final state', async () => {
    const answers = [job('RUNNING', 100), job('RUNNING', 300), job('FINISHED', 400)];
    let clock = 0;
    const written: string[] = [];
    const printed: string[] = [];
    const final = await watchJob(
      async () => answers.shift()!,
      {
        out: (line) => printed.push(line),
        write: (text) => written.push(text),
        sleep: async () => {
          clock += 1000;
        },
        now: () => clock,
      },
      1000,
    );
    expect(final.status).toBe('FINISHED');
    expect(written).toHaveLength(3);
    // The second frame moves up over the three lines of the first and clears each.
    expect(written[1]!.startsWith('\x1b[3A\x1b[2K')).toBe(true);
    expect(written[1]).toContain(
      'issues        [##########..........] reading jira_issues 300 seen, 300 new, 0 unchanged; jira_changelogs 300 seen',
    );
    expect(written[1]).toContain('(400/s)');
    expect(printed).toEqual(['job 7 FINISHED']);
    expect(renderLines(job('FINISHED', 400), {})[0]).toBe(
      'job 7 FINISHED — streams 2/2, 400 records transformed',
    );
  });

  it('a job with refused records (progress.refused_records beside the streams) still shows its streams', () => {
    const base = job('RUNNING', 100);
    const refused: WatchedJob = {
      ...base,
      progress: {
        ...(base.progress as Record<string, unknown>),
        issues: {
          pages: 2,
          entities: { jira_issues: { seen: 100, new: 99, unchanged: 0, failed: 1 } },
        },
        refused_records: [
          {
            entity_type: 'jira_issues',
            external_id: '10001',
            code: 'RECORD_TOO_DEEP',
            message: 'nested too deep',
          },
        ],
      },
    };
    expect(renderLines(refused, {})[2]).toBe(
      'issues        [##########..........] reading jira_issues 100 seen, 99 new, 0 unchanged, 1 failed',
    );
  });
});
