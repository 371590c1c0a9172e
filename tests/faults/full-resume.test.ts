import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultStack, withLogs, type FaultStack } from './support/harness.ts';
import { waitFor } from '../support/wait.ts';
import { z } from 'zod';
import { jobProgressSchema } from '@tributary/contracts';

// Fault 4b: the extractor SIGKILLed in the middle of a `mode: full` run. The job is
// taken over when its heartbeat goes stale (the redelivered message waits for that
// moment) and resumes from the checkpoints this same job saved, re-reading at most
// the one page that was in flight — not the whole walk again, nor, for GitHub, the
// repository it was in from its first page.
let fault: FaultStack;
const ISSUES = 2000;
const PAGE = 100;
const PULLS = 300;
/** A GraphQL page (FULL_PAGE_PULLS), and a REST flush (50 PRs, fetched 4 at a time, so 52). */
const GITHUB_PAGE = { graphql: 36, rest: 52 } as const;

beforeAll(async () => {
  fault = await startFaultStack({
    // 100 ms per source request: a run of several seconds to kill in.
    simulator: {
      SIM_JIRA_ISSUES: String(ISSUES),
      SIM_GITHUB_REPOS: '1',
      SIM_GITHUB_PRS: String(PULLS),
      SIM_LATENCY_MS: '100',
    },
  });
});

afterAll(async () => {
  await fault?.close();
});

describe('fault 4b: extractor SIGKILLed mid full run', () => {
  it('the job resumes from its own checkpoints, re-reading at most one page per stream', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      const jobId = await fault.startRun(jira, { mode: 'full' });
      await waitFor(
        async () => {
          const { rows } = await fault.pool.query<{ checkpoints: Record<string, { cursor: string | null }> }>(
            'select checkpoints from etl_jobs where id = $1',
            [jobId],
          );
          const stored = await fault.issuesStored(jobId);
          return rows[0]?.checkpoints['issues|']?.cursor && stored >= 600;
        },
        60_000,
        'several checkpointed issue pages of the full run',
      );
      await fault.stack.kill('extract');
      const killedAt = Date.now();
      const storedAtKill = await fault.issuesStored(jobId);
      // Where the job had got: the resumed walk starts at that instant; issues updated at that very
      // instant are read again (a page boundary may split them), nothing older.
      const { rows: at } = await fault.pool.query<{ checkpoints: Record<string, { cursor: string }> }>(
        'select checkpoints from etl_jobs where id = $1',
        [jobId],
      );
      const cursor = Date.parse(at[0]!.checkpoints['issues|']!.cursor);
      const truthIssues = await fault.sim.ok<{ updated: string }[]>('GET', '/_sim/truth/jira/issues');
      const overlapping = truthIssues.filter((i) => Date.parse(i.updated) === cursor).length;
      expect(storedAtKill).toBeLessThan(ISSUES);
      await fault.stack.start('extract');

      const job = await fault.waitJob(jobId, 150_000);
      const recoveredInMs = Date.now() - killedAt;
      expect(job).toMatchObject({ status: 'FINISHED', error: null });
      await fault.expectMatchesTruth({ jira });
      expect(await fault.deadLetters()).toEqual([]);

      const { progress } = z
        .object({ progress: jobProgressSchema })
        .parse(await fault.api.ok('GET', `/api/v1/jobs/${jobId}`));
      const issues = progress.issues?.entities.jira_issues;
      const changelogs = progress.issues?.entities.jira_changelogs;
      if (!issues || !changelogs) throw new Error(`no issue progress: ${JSON.stringify(progress)}`);
      // Every issue seen; seen twice (stored already, so "unchanged"): at most the one page that was in
      // flight past the last checkpoint, plus those updated at the checkpoint's instant.
      expect(issues.seen).toBeGreaterThanOrEqual(ISSUES);
      expect(issues.unchanged).toBeLessThanOrEqual(PAGE + overlapping);
      expect(changelogs.unchanged).toBeLessThanOrEqual(PAGE + overlapping);
      expect(issues.failed).toBe(0);

      // The same full run undisturbed, for comparison; its data is unchanged, so all of it is
      // seen and none is new.
      const startedAt = Date.now();
      const again = await fault.waitJob(await fault.startRun(jira, { mode: 'full' }), 150_000);
      const undisturbedMs = Date.now() - startedAt;
      expect(again).toMatchObject({ status: 'FINISHED', error: null });
      const rerun = z
        .object({ progress: jobProgressSchema })
        .parse(await fault.api.ok('GET', `/api/v1/jobs/${again.id}`)).progress;
      expect(rerun.issues?.entities.jira_issues).toEqual({
        seen: ISSUES,
        new: 0,
        unchanged: ISSUES,
        failed: 0,
      });
      console.log(
        `fault 4b: full run of ${ISSUES} issues, extractor killed at ${storedAtKill} stored; FINISHED ${(recoveredInMs / 1000).toFixed(1)} s after the kill ` +
          `(undisturbed full run: ${(undisturbedMs / 1000).toFixed(1)} s), re-read ${issues.unchanged} issues (${overlapping} at the checkpoint instant)`,
      );
    });
  });

  it.each(['graphql', 'rest'] as const)(
    'a GitHub full run (%s) killed mid-repository resumes at its next page, not at the repository start',
    async (api) => {
      await withLogs(fault, async () => {
        const truth = await fault.sim.ok<{ github: { repositories: string[] } }>(
          'GET',
          '/_sim/truth/summary',
        );
        const [repository] = truth.github.repositories;
        if (!repository) throw new Error('no simulated repository');
        const created = await fault.api.ok<{ id: number }>('POST', '/api/v1/integrations', {
          type: 'github',
          name: `Sim GitHub ${api}`,
          base_url: fault.stack.urls.simulator,
          credentials: { token: 'sim-github-token' },
          config: { repositories: truth.github.repositories, api },
        });
        const test = await fault.api.ok<{ ok: boolean; error: string | null }>(
          'POST',
          `/api/v1/integrations/${created.id}/test`,
        );
        expect(test).toMatchObject({ ok: true });
        await fault.api.ok('PATCH', `/api/v1/integrations/${created.id}`, { enabled: true });
        const jobId = await fault.startRun(created.id, {
          mode: 'full',
          streams: ['repositories', 'pull_requests'],
        });
        // The walk has stored pages of the repository and saved its place in it.
        await waitFor(
          async () => {
            const { rows } = await fault.pool.query<{
              checkpoints: Record<string, { cursor: string | null }>;
            }>('select checkpoints from etl_jobs where id = $1', [jobId]);
            return rows[0]?.checkpoints[`pull_requests|${repository}`]?.cursor?.startsWith('{"walk"');
          },
          60_000,
          'a checkpoint inside the repository',
        );
        await fault.stack.kill('extract');
        const storedAtKill = await fault.count(
          `select 1 from raw_extraction_data where job_id = $1 and entity_type = 'github_pull_requests'`,
          [jobId],
        );
        expect(storedAtKill).toBeLessThan(PULLS);
        await fault.stack.start('extract');

        const job = await fault.waitJob(jobId, 150_000);
        expect(job).toMatchObject({ status: 'FINISHED', error: null });
        await fault.expectMatchesTruth({ github: created.id });
        expect(await fault.deadLetters()).toEqual([]);
        const { progress } = z
          .object({ progress: jobProgressSchema })
          .parse(await fault.api.ok('GET', `/api/v1/jobs/${jobId}`));
        const pulls = progress.pull_requests?.entities.github_pull_requests;
        if (!pulls) throw new Error(`no pull request progress: ${JSON.stringify(progress)}`);
        // Seen twice (stored already): at most the page in flight; re-walking the repository from its
        // start would read every PR stored before the kill again.
        expect(pulls.seen).toBeGreaterThanOrEqual(PULLS);
        expect(pulls.unchanged).toBeLessThanOrEqual(GITHUB_PAGE[api]);
        expect(pulls.failed).toBe(0);
        console.log(
          `fault 4b (github ${api}): killed at ${storedAtKill} of ${PULLS} PRs stored; re-read ${pulls.unchanged}`,
        );
      });
    },
  );
});
