import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../testing.ts';
import type { RunningSimulator } from '../testing.ts';
import type { JiraHistory, JiraIssue } from '../jira/serialize.ts';
import type { AdvanceResult, TruthSummary } from './truth.ts';

const sims: RunningSimulator[] = [];
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

async function start(seed: number, now?: () => number): Promise<RunningSimulator> {
  const s = await startSimulator({
    seed,
    jira: { projects: 2, issues: 120 },
    github: { repos: 2, prs: 40 },
    ...(now ? { now } : {}),
  });
  sims.push(s);
  return s;
}

/** A fingerprint of what a client would see, with the (port-specific) base URL removed. */
async function fingerprint(s: RunningSimulator): Promise<string> {
  const summary = await s.control<TruthSummary>('GET', '/_sim/truth/summary');
  const jql = encodeURIComponent(`project in (${summary.jira.projects.join(',')}) ORDER BY updated DESC`);
  const issues = await (
    await s.jira(`/rest/api/3/search/jql?jql=${jql}&fields=*all&expand=changelog&maxResults=20`)
  ).text();
  const pulls = await (
    await s.github(`/repos/${summary.github.repositories[0] ?? ''}/pulls?state=all&per_page=20`)
  ).text();
  return JSON.stringify(summary) + (issues + pulls).replaceAll(s.url, 'BASE');
}

async function walkIssues(s: RunningSimulator, projects: string[]): Promise<JiraIssue[]> {
  const out: JiraIssue[] = [];
  let token: string | undefined;
  do {
    const res = await s.jira('/rest/api/3/search/jql', {
      method: 'POST',
      body: JSON.stringify({
        jql: `project in (${projects.join(',')})`,
        fields: ['status'],
        expand: 'changelog',
        maxResults: 100,
        nextPageToken: token,
      }),
    });
    const page = (await res.json()) as { issues: JiraIssue[]; nextPageToken?: string };
    out.push(...page.issues);
    token = page.nextPageToken;
  } while (token);
  return out;
}

describe('determinism', () => {
  it('the same seed gives the same data; another seed gives different data', async () => {
    const [a, b, c] = await Promise.all([start(1234), start(1234), start(99)]);
    const fa = await fingerprint(a);
    expect(await fingerprint(b)).toBe(fa);
    expect(await fingerprint(c)).not.toBe(fa);
  });
});

describe('truth', () => {
  it('the summary matches what paging the APIs returns', async () => {
    const s = await start(5);
    const summary = await s.control<TruthSummary>('GET', '/_sim/truth/summary');
    const issues = await walkIssues(s, summary.jira.projects);
    expect(issues.length).toBe(summary.jira.issues);
    let transitions = 0;
    const long: string[] = [];
    for (const issue of issues) {
      if ((issue.changelog?.total ?? 0) > (issue.changelog?.histories.length ?? 0)) long.push(issue.key);
      else
        for (const h of issue.changelog?.histories ?? [])
          transitions += h.items.filter((it) => it.field === 'status').length;
    }
    // Issues with more than 100 histories: fetch their whole changelog.
    let token: string | undefined;
    if (long.length > 0) {
      do {
        const res = await s.jira('/rest/api/3/changelog/bulkfetch', {
          method: 'POST',
          body: JSON.stringify({ issueIdsOrKeys: long, fieldIds: ['status'], nextPageToken: token }),
        });
        const page = (await res.json()) as {
          issueChangeLogs: Array<{ changeHistories: JiraHistory[] }>;
          nextPageToken?: string;
        };
        for (const l of page.issueChangeLogs)
          for (const h of l.changeHistories) transitions += h.items.length;
        token = page.nextPageToken;
      } while (token);
    }
    expect(transitions).toBe(summary.jira.transitions);

    let prs = 0;
    let reviews = 0;
    let commits = 0;
    const shas = new Set<string>();
    let rebased = 0;
    for (const repo of summary.github.repositories) {
      const pulls = (await (await s.github(`/repos/${repo}/pulls?state=all&per_page=100`)).json()) as Array<{
        number: number;
      }>;
      prs += pulls.length;
      for (const p of pulls) {
        reviews += (
          (await (
            await s.github(`/repos/${repo}/pulls/${p.number}/reviews?per_page=100`)
          ).json()) as unknown[]
        ).length;
        const listed = (await (
          await s.github(`/repos/${repo}/pulls/${p.number}/commits?per_page=100`)
        ).json()) as Array<{
          sha: string;
          commit: { author: { date: string }; committer: { date: string } };
        }>;
        commits += listed.length;
        for (const c of listed) shas.add(c.sha);
        rebased += listed.filter((c) => c.commit.author.date !== c.commit.committer.date).length;
      }
    }
    // Stacked branches: some commits are listed by two pull requests; rebases re-date some commits.
    expect(shas.size).toBe(summary.github.commits);
    expect(shas.size).toBeLessThan(commits);
    expect(rebased).toBeGreaterThan(0);
    for (const [former, current] of Object.entries(summary.github.renamed)) {
      const repo = (await (await s.github(`/repos/${former}`)).json()) as { full_name: string };
      expect(repo.full_name).toBe(current);
    }
    expect(Object.keys(summary.github.renamed)).toHaveLength(1);
    expect({ prs, reviews, commits }).toEqual({
      prs: summary.github.pull_requests,
      reviews: summary.github.reviews,
      commits: summary.github.pull_request_commits,
    });
  });

  it('advance changes issues and PRs, stamps them with the simulator clock, and keeps the summary in step', async () => {
    const at = Date.UTC(2026, 2, 3, 4, 5, 6);
    const s = await start(8, () => at);
    const before = await s.control<TruthSummary>('GET', '/_sim/truth/summary');
    const adv = await s.control<AdvanceResult>('POST', '/_sim/advance', { issues: 5, pull_requests: 6 });
    expect(adv.at).toBe(new Date(at).toISOString());
    expect(new Set(adv.issues).size).toBe(5);
    expect(adv.pull_requests).toHaveLength(6);
    const after = await s.control<TruthSummary>('GET', '/_sim/truth/summary');
    expect(after.jira.transitions).toBe(before.jira.transitions + 5);
    expect(after.github.reviews).toBeGreaterThanOrEqual(before.github.reviews);
    for (const p of adv.pull_requests) {
      const pr = (await (await s.github(`/repos/${p.repository}/pulls/${p.number}`)).json()) as {
        updated_at: string;
        merged: boolean;
        state: string;
      };
      const byChange =
        p.change === 'merged'
          ? { merged: true, state: 'closed' }
          : p.change === 'reopened'
            ? { state: 'open' }
            : {};
      expect(pr).toMatchObject({ updated_at: '2026-03-03T04:05:06Z', ...byChange });
    }
    // The changed PRs lead the list sorted by updated desc.
    const changedRepos = after.github.repositories.filter((repo) =>
      adv.pull_requests.some((p) => p.repository === repo),
    );
    expect(changedRepos.length).toBeGreaterThan(0);
    for (const repo of changedRepos) {
      const changed = adv.pull_requests
        .filter((p) => p.repository === repo)
        .map((p) => p.number)
        .sort((a, b) => a - b);
      const first = (await (
        await s.github(
          `/repos/${repo}/pulls?state=all&sort=updated&direction=desc&per_page=${Math.max(1, changed.length)}`,
        )
      ).json()) as Array<{ number: number }>;
      expect(first.map((p) => p.number).sort((a, b) => a - b)).toEqual(changed);
    }
  });
});
