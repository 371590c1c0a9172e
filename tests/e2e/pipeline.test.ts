import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Stack } from '../../scripts/stack.ts';
import { ApiClient } from '../support/api-client.ts';
import { startE2eStack, type E2eStack } from '../support/e2e-stack.ts';
import { jobEnded, registerIntegration, runToEnd } from '../support/runs.ts';
import { simulatorGithub, simulatorJira } from '../support/simulator-integrations.ts';
import { expectGithubValuesMatchTruth, expectJiraValuesMatchTruth } from '../support/truth-values.ts';
import { z } from 'zod';
import { jobProgressSchema } from '@tributary/contracts';
import { like } from '../support/matchers.ts';
import type { Truth } from '../support/truth.ts';

let e2e: E2eStack | undefined;
let stack: Stack;
let prefix: string;
let pool: pg.Pool;
let api: ApiClient;
let sim: ApiClient;

beforeAll(async () => {
  e2e = await startE2eStack({
    tenant: 'e2e',
    backend: { SCHEDULER_TICK_SECONDS: '1' },
    worker: { OUTBOX_RELAY_INTERVAL_SECONDS: '2', OUTBOX_RELAY_LEASE_SECONDS: '30' },
    extract: { EXTERNAL_CB_TIMEOUT_SECONDS: '2' },
    simulator: {
      SIM_SEED: '7',
      SIM_JIRA_PROJECTS: '2',
      SIM_JIRA_ISSUES: '150',
      SIM_GITHUB_REPOS: '2',
      SIM_GITHUB_PRS: '40',
    },
  });
  ({ stack, prefix, pool, api, sim } = e2e);
});

afterAll(async () => {
  await e2e?.stop();
});

const count = async (table: string) =>
  (await pool.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;

const truth = () => sim.ok<Truth>('GET', '/_sim/truth/summary');

describe('end to end: simulator → extract → RabbitMQ → workers → Postgres', () => {
  let jiraId: number;
  let githubId: number;

  it('a Jira run loads every project, issue and transition of the source', async () => {
    const t = await truth();
    jiraId = await registerIntegration(api, simulatorJira(stack.urls.simulator, t));
    const job = await runToEnd(api, jiraId);
    expect(job).toMatchObject({ status: 'FINISHED', error: null });
    expect(await count('jira_projects')).toBe(t.jira.projects.length);
    expect(await count('jira_issues')).toBe(t.jira.issues);
    expect(await count('jira_issue_transitions')).toBe(t.jira.transitions);
    expect(await count('jira_statuses')).toBeGreaterThan(0);
    // Field by field, every issue: key, summary (NUL dropped), status, timestamps, story points, sprints, …
    await expectJiraValuesMatchTruth(pool, stack.urls.simulator, jiraId);
  });

  it('progress counts per stream and entity type; a full re-run of unchanged data is all seen, none new', async () => {
    const t = await truth();
    const { job_id: jobId } = await api.ok<{ job_id: number }>(
      'POST',
      `/api/v1/integrations/${jiraId}/runs`,
      { mode: 'full' },
    );
    await jobEnded(api, jobId);
    const shown = await api.ok<Record<string, unknown>>('GET', `/api/v1/jobs/${jobId}`);
    const { progress } = z.object({ progress: jobProgressSchema }).parse(shown);
    // The job's own counters say it too: every record seen and unchanged, none extracted (new).
    const everything = Object.values(progress)
      .flatMap((stream) => Object.values(stream.entities))
      .reduce((sum, entity) => sum + entity.seen, 0);
    expect(everything).toBeGreaterThanOrEqual(2 * t.jira.issues + t.jira.projects.length);
    expect(shown).toMatchObject({
      records_seen: everything,
      records_unchanged: everything,
      records_extracted: 0,
      records_failed: 0,
    });
    // Issues and their changelogs apart (one changelog record per issue).
    expect(progress.issues?.entities).toEqual({
      jira_issues: { seen: t.jira.issues, new: 0, unchanged: t.jira.issues, failed: 0 },
      jira_changelogs: { seen: t.jira.issues, new: 0, unchanged: t.jira.issues, failed: 0 },
    });
    expect(progress.projects?.entities.jira_projects).toEqual({
      seen: t.jira.projects.length,
      new: 0,
      unchanged: t.jira.projects.length,
      failed: 0,
    });
  });

  it('a GitHub run loads repositories, pull requests, reviews and commits', async () => {
    const t = await truth();
    githubId = await registerIntegration(api, simulatorGithub(stack.urls.simulator, t));
    const job = await runToEnd(api, githubId);
    expect(job).toMatchObject({ status: 'FINISHED', error: null });
    expect(await count('github_repositories')).toBe(t.github.repositories.length);
    expect(await count('github_pull_requests')).toBe(t.github.pull_requests);
    expect(await count('github_reviews')).toBe(t.github.reviews);
    expect(await count('github_commits')).toBe(t.github.commits);
    expect(await count('github_pull_request_commits')).toBe(t.github.pull_request_commits);
    expect(await count('github_review_comments')).toBe(t.github.review_comments);
    // PR state, merged_at, review state, commit sha and both dates, every PR ↔ commit listing.
    await expectGithubValuesMatchTruth(pool, stack.urls.simulator, githubId);
  });

  it('an incremental run after changes fetches only what changed and matches the new truth', async () => {
    await sim.ok('DELETE', '/_sim/stats');
    const changed = await sim.ok<{ issues: { key: string }[] | string[] }>('POST', '/_sim/advance', {
      issues: 5,
      pull_requests: 3,
    });
    const job = await runToEnd(api, jiraId, { streams: ['issues'] });
    expect(job.status).toBe('FINISHED');
    const t = await truth();
    expect(await count('jira_issues')).toBe(t.jira.issues);
    expect(await count('jira_issue_transitions')).toBe(t.jira.transitions);
    const stats = await sim.ok<{ requests: Record<string, { total: number }> }>('GET', '/_sim/stats');
    const searchCalls = Object.entries(stats.requests)
      .filter(([route]) => route.includes('search/jql'))
      .reduce((sum, [, entry]) => sum + entry.total, 0);
    // 150 issues at 100 per page is 2 pages for a full read; the changed ones fit in one.
    expect(searchCalls).toBe(1);
    expect(changed).toBeTruthy();
    await expectJiraValuesMatchTruth(pool, stack.urls.simulator, jiraId);

    const gh = await runToEnd(api, githubId);
    expect(gh.status).toBe('FINISHED');
    const t2 = await truth();
    expect(await count('github_pull_requests')).toBe(t2.github.pull_requests);
    expect(await count('github_reviews')).toBe(t2.github.reviews);
    expect(await count('github_review_comments')).toBe(t2.github.review_comments);
    await expectGithubValuesMatchTruth(pool, stack.urls.simulator, githubId);
  });

  it('a run under a 5xx storm and 429s still finishes and matches the source', async () => {
    await sim.ok('POST', '/_sim/faults', [
      // Within one request's retry budget (4 retries): 2 × 503, then a 429 with Retry-After.
      { path: '/rest/api/3/search/jql', kind: 'status', status: 503, count: 2 },
      { path: '/rest/api/3/search/jql', kind: 'status', status: 429, retry_after: 1, count: 1 },
      { path: '/rest/api/3/changelog/bulkfetch', kind: 'status', status: 502, count: 2 },
    ]);
    const job = await runToEnd(api, jiraId, { mode: 'full' });
    await sim.ok('DELETE', '/_sim/faults');
    expect(job).toMatchObject({ status: 'FINISHED', error: null });
    const t = await truth();
    expect(await count('jira_issues')).toBe(t.jira.issues);
    expect(await count('jira_issue_transitions')).toBe(t.jira.transitions);
    expect(await count('dead_letters')).toBe(0);
  });

  it('credentials the source rejects fail the run with a clear reason, and it is not retried', async () => {
    const patched = await api.request('PATCH', `/api/v1/integrations/${githubId}`, {
      credentials: { token: 'revoked-token' },
    });
    expect(patched.status).toBe(200);
    const job = await runToEnd(api, githubId, { streams: ['repositories'] });
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatch(/^credentials rejected by github \(HTTP 401\): Bad credentials/);
    const shown = await api.ok<{ next_retry_at: string | null; error_code: string }>(
      'GET',
      `/api/v1/jobs/${job.id}`,
    );
    expect(shown).toMatchObject({ next_retry_at: null, error_code: 'CREDENTIALS_REJECTED' });
    await api.ok('PATCH', `/api/v1/integrations/${githubId}`, { credentials: { token: 'sim-github-token' } });
  });

  it('a Jira project that does not exist: the test names it, a run fails in Jira’s words as CONFIG_INVALID, not retried', async () => {
    const { jira } = await truth();
    const current = await api.ok<{ config: { projects: string[] } }>('GET', `/api/v1/integrations/${jiraId}`);
    await api.ok('PATCH', `/api/v1/integrations/${jiraId}`, {
      config: { projects: [...jira.projects, 'NOPE'] },
    });
    const job = await runToEnd(api, jiraId, { streams: ['issues'] });
    const shown = await api.ok<{
      status: string;
      error: string;
      error_code: string;
      next_retry_at: string | null;
    }>('GET', `/api/v1/jobs/${job.id}`);
    expect(shown).toMatchObject({ status: 'FAILED', error_code: 'CONFIG_INVALID', next_retry_at: null });
    expect(shown.error).toContain("The value 'NOPE' does not exist for the field 'project'.");
    const tested = await api.ok<{ ok: boolean; code: string; error: string }>(
      'POST',
      `/api/v1/integrations/${jiraId}/test`,
    );
    expect(tested).toMatchObject({ ok: false, code: 'CONFIG_INVALID', error: like('NOPE (not found)') });
    await api.ok('PATCH', `/api/v1/integrations/${jiraId}`, { config: current.config });
    expect(await api.ok('POST', `/api/v1/integrations/${jiraId}/test`)).toMatchObject({ ok: true });
    await api.ok('PATCH', `/api/v1/integrations/${jiraId}`, { enabled: true });
  });

  it('the extract service shows its breakers and resets one only for the service token', async () => {
    const extract = new ApiClient(stack.urls.extract, stack.adminToken);
    const { breakers } = await extract.ok<{ breakers: { name: string; state: string }[] }>(
      'GET',
      '/breakers',
    );
    expect(breakers.map((b) => b.name)).toEqual(
      expect.arrayContaining(['backend', `jira:${jiraId}`, `github:${githubId}`]),
    );
    const anonymous = await new ApiClient(stack.urls.extract, 'wrong').request(
      'POST',
      `/breakers/jira:${jiraId}/reset`,
    );
    expect(anonymous.status).toBe(401);
    expect((await extract.request('POST', `/breakers/jira:${jiraId}/reset`)).status).toBe(200);
    expect((await extract.request('POST', '/breakers/nope/reset')).status).toBe(404);
    const ready = await extract.request<{
      backend: string;
      broker: string;
      breakers: Record<string, string>;
    }>('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      backend: 'up',
      broker: 'up',
      breakers: { backend: 'CLOSED', [`jira:${jiraId}`]: 'CLOSED' },
    });
  });

  it('the extractor and the worker export what an operator graphs', async () => {
    const extract = await (await fetch(`${stack.urls.extract}/metrics`)).text();
    expect(extract).toMatch(
      new RegExp(
        `^tributary_source_requests_total\\{[^}]*source="jira",integration_id="${jiraId}",status="200"[^}]*\\} [1-9]`,
        'm',
      ),
    );
    expect(extract).toMatch(
      new RegExp(
        `^tributary_source_ratelimit_remaining\\{[^}]*source="github",integration_id="${githubId}"[^}]*\\} \\d+`,
        'm',
      ),
    );
    expect(extract).toMatch(/^tributary_breaker_state\{[^}]*breaker="backend"[^}]*\} 0$/m);
    const worker = await (await fetch(`${stack.urls.worker}/metrics`)).text();
    expect(worker).toMatch(/^tributary_transform_batch_duration_seconds_count\{[^}]*\} [1-9]/m);
    const backend = await (await fetch(`${stack.urls.backend}/metrics`)).text();
    expect(backend).toMatch(
      new RegExp(
        `^tributary_records\\{[^}]*integration_id="${jiraId}",stream="issues",entity_type="jira_changelogs",outcome="seen"[^}]*\\} [1-9]`,
        'm',
      ),
    );
    expect(backend).toMatch(
      new RegExp(
        `^tributary_queue_consumers\\{[^}]*queue="${prefix.replace('.', '\\.')}etl\\.transform"[^}]*\\} [1-9]`,
        'm',
      ),
    );
  });

  it('secrets: no credential appears in clear text in the database, the logs or the API', async () => {
    const dump = await pool.query<{ all: string }>(
      `select string_agg(t::text, ' ') as all from integrations t`,
    );
    expect(dump.rows[0]!.all).not.toContain('sim-token');
    expect(dump.rows[0]!.all).not.toContain('sim-github-token');
    const logs = Object.values(stack.logs).flat().join('');
    expect(logs).not.toContain('sim-github-token');
    expect(logs).not.toContain('revoked-token');
    expect(logs).not.toMatch(/"api_token":"sim-token"/);
    const listed = await api.request('GET', '/api/v1/integrations');
    expect(JSON.stringify(listed.body)).not.toContain('sim-token');
  });

  it('a Jira run whose pages hold NUL summaries and 300-level nested records finishes, stores the rest, and shows the refused ones', async () => {
    const deep = await sim.ok<{ issues: string[] }>('POST', '/_sim/jira/deepen', { deep_issues: 2 });
    const before = await pool.query<{ key: string; updated_at: Date }>(
      'select key, updated_at from jira_issues where key = any($1)',
      [deep.issues],
    );
    await sim.ok('POST', '/_sim/advance', { issues: 4 });
    const job = await runToEnd(api, jiraId, { mode: 'full' });
    expect(job).toMatchObject({ status: 'FINISHED', error: null });
    const shown = await api.ok<{
      records_failed: number;
      progress: { refused_records: { external_id: string; code: string; message: string }[] };
    }>('GET', `/api/v1/jobs/${job.id}`);
    expect(shown.records_failed).toBe(2);
    const truthIds = await Promise.all(
      deep.issues.map((key) => sim.ok<{ id: string }>('GET', `/_sim/truth/jira/issues/${key}`)),
    );
    expect(shown.progress.refused_records.map((r) => [r.external_id, r.code]).sort()).toEqual(
      truthIds.map((t) => [t.id, 'RECORD_TOO_DEEP']).sort(),
    );
    const { dead_letters: archived } = await api.ok<{
      dead_letters: { id: number; reason: string; entity_type: string }[];
    }>('GET', '/api/v1/dead-letters');
    const refused = archived.filter(
      (l) => l.entity_type === 'jira_issues' && l.reason.startsWith('RECORD_TOO_DEEP'),
    );
    expect(refused).toHaveLength(2);
    // Replayable: a replay stores the record again, and says why when it is still refused.
    const replay = await api.ok<{ replayed: number[]; skipped: { id: number; reason: string }[] }>(
      'POST',
      '/api/v1/dead-letters/replay',
      {
        ids: refused.map((l) => l.id),
      },
    );
    expect(replay).toEqual({
      replayed: [],
      skipped: refused.map((l) => ({
        id: l.id,
        reason: like(/^RECORD_TOO_DEEP: /),
      })),
    });
    // Every other record is stored and right; the refused ones keep their earlier version.
    await expectJiraValuesMatchTruth(pool, stack.urls.simulator, jiraId, deep.issues);
    const after = await pool.query<{ key: string; updated_at: Date }>(
      'select key, updated_at from jira_issues where key = any($1)',
      [deep.issues],
    );
    expect(after.rows).toEqual(before.rows);
    // A refused record is the record's problem: the backend never looked down.
    const extract = new ApiClient(stack.urls.extract, stack.adminToken);
    const { breakers } = await extract.ok<{ breakers: { name: string; state: string }[] }>(
      'GET',
      '/breakers',
    );
    expect(breakers.find((b) => b.name === 'backend')?.state).toBe('CLOSED');
  });
});
