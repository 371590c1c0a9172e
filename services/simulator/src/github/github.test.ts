import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../testing.ts';
import type { RunningSimulator } from '../testing.ts';
import type { TruthPullRequest, TruthSummary } from '../control/truth.ts';

let sim: RunningSimulator;
let repos: string[];

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, jira: { projects: 1, issues: 5 }, github: { repos: 2, prs: 130 } });
  repos = (await sim.control<TruthSummary>('GET', '/_sim/truth/summary')).github.repositories;
});
afterAll(async () => {
  await sim.close();
});

function links(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (res.headers.get('link') ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (m?.[1] && m[2]) out[m[2]] = m[1];
  }
  return out;
}

/** Follows rel="next" from `path` and returns every item. */
async function walk<T>(path: string): Promise<T[]> {
  const all: T[] = [];
  let url: string | undefined = sim.url + path;
  while (url) {
    const res = await fetch(url, { headers: { authorization: sim.githubAuth } });
    expect(res.status).toBe(200);
    all.push(...((await res.json()) as T[]));
    url = links(res).next;
  }
  return all;
}

interface Pull {
  number: number;
  state: string;
  created_at: string;
  updated_at: string;
  merged_at: string | null;
}

describe('GitHub auth and repos', () => {
  it('rejects missing and bad tokens with 401', async () => {
    const none = await fetch(`${sim.url}/user`);
    expect(none.status).toBe(401);
    const bad = await sim.github('/user', { headers: { authorization: 'token wrong' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ message: 'Bad credentials', status: '401' });
    const ok = await sim.github('/user', { headers: { authorization: 'token sim-github-token' } });
    expect(ok.status).toBe(200);
  });

  it('serves the repo and 404s unknown ones', async () => {
    const res = await sim.github(`/repos/${repos[0] ?? ''}`);
    const repo = (await res.json()) as Record<string, unknown>;
    expect(repo).toMatchObject({ full_name: repos[0], default_branch: 'main', fork: false, archived: false });
    expect(repo.owner).toMatchObject({ login: 'tributary-sim' });
    const missing = await sim.github('/repos/tributary-sim/does-not-exist');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ message: 'Not Found' });
  });
});

describe('pulls', () => {
  it('walks every PR exactly once through Link headers', async () => {
    let total = 0;
    for (const repo of repos) {
      const all = await walk<Pull>(`/repos/${repo}/pulls?state=all&per_page=7`);
      const numbers = all.map((p) => p.number);
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(Math.max(...numbers)).toBe(numbers.length);
      total += all.length;
      // Default sort=created direction=desc.
      const created = all.map((p) => p.created_at);
      expect([...created].sort().reverse()).toEqual(created);
      const open = await walk<Pull>(`/repos/${repo}/pulls?per_page=100`);
      expect(open.every((p) => p.state === 'open')).toBe(true);
      const closed = await walk<Pull>(
        `/repos/${repo}/pulls?state=closed&sort=updated&direction=desc&per_page=5`,
      );
      expect(open.length + closed.length).toBe(all.length);
      const updated = closed.map((p) => p.updated_at);
      expect([...updated].sort().reverse()).toEqual(updated);
    }
    expect(total).toBe(130);
  });

  it('emits prev/next/last/first with absolute URLs', async () => {
    const repo = repos[0] ?? '';
    const first = await sim.github(`/repos/${repo}/pulls?state=all&per_page=10`);
    const l1 = links(first);
    expect(Object.keys(l1).sort()).toEqual(['last', 'next']);
    expect(l1.next).toBe(`${sim.url}/repos/${repo}/pulls?state=all&per_page=10&page=2`);
    const mid = links(await sim.github(`/repos/${repo}/pulls?state=all&per_page=10&page=3`));
    expect(Object.keys(mid).sort()).toEqual(['first', 'last', 'next', 'prev']);
    const lastPage = Number(new URL(l1.last ?? '').searchParams.get('page'));
    const end = links(await sim.github(`/repos/${repo}/pulls?state=all&per_page=10&page=${lastPage}`));
    expect(Object.keys(end).sort()).toEqual(['first', 'prev']);
  });

  it('validates state like GitHub (422)', async () => {
    const res = await sim.github(`/repos/${repos[0] ?? ''}/pulls?state=weird`);
    expect(res.status).toBe(422);
  });

  it('list omits and single PR includes merged/additions/commits counts', async () => {
    const repo = repos[0] ?? '';
    const [listed] = (await (
      await sim.github(`/repos/${repo}/pulls?state=closed&per_page=1`)
    ).json()) as Array<Record<string, unknown>>;
    expect(listed).toBeDefined();
    for (const k of ['merged', 'additions', 'deletions', 'commits', 'changed_files'])
      expect(listed).not.toHaveProperty(k);
    expect(listed).toHaveProperty('head.sha');
    expect(listed).toHaveProperty('base.ref', 'main');
    const single = (await (
      await sim.github(`/repos/${repo}/pulls/${String(listed?.number)}`)
    ).json()) as Record<string, unknown>;
    for (const k of [
      'merged',
      'additions',
      'deletions',
      'commits',
      'changed_files',
      'comments',
      'review_comments',
    ])
      expect(single).toHaveProperty(k);
    expect(single.merged).toBe(single.merged_at !== null);
    expect(String(single.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await sim.github(`/repos/${repo}/pulls/99999`)).status).toBe(404);
  });

  it('lists the same pending review requests over REST and GraphQL: never the author, never a user who reviewed', async () => {
    const repo = repos[0] ?? '';
    const rest = await walk<{
      number: number;
      user: { login: string };
      requested_reviewers: { login: string }[];
    }>(`/repos/${repo}/pulls?state=all&per_page=100`);
    const [owner, name] = repo.split('/');
    const res = await sim.github('/graphql', {
      method: 'POST',
      body: JSON.stringify({
        query: `query R($o: String!, $n: String!) { repository(owner: $o, name: $n) { pullRequests(first: 100) { nodes {
          number author { login } reviews(first: 100) { nodes { author { login } } }
          reviewRequests(first: 10) { totalCount nodes { requestedReviewer { __typename ... on User { login } } } }
        } } } }`,
        variables: { o: owner, n: name },
      }),
    });
    const body = (await res.json()) as {
      data: {
        repository: {
          pullRequests: {
            nodes: {
              number: number;
              author: { login: string };
              reviews: { nodes: { author: { login: string } }[] };
              reviewRequests: {
                totalCount: number;
                nodes: { requestedReviewer: { __typename: string; login: string } }[];
              };
            }[];
          };
        };
      };
    };
    const graphql = body.data.repository.pullRequests.nodes;
    expect(graphql).toHaveLength(rest.length);
    const restByNumber = new Map(rest.map((pr) => [pr.number, pr]));
    for (const pr of graphql) {
      const requested = pr.reviewRequests.nodes.map((n) => n.requestedReviewer);
      expect(requested.every((r) => r.__typename === 'User')).toBe(true);
      const logins = requested.map((r) => r.login);
      expect(pr.reviewRequests.totalCount).toBe(logins.length);
      expect(logins).toEqual(restByNumber.get(pr.number)?.requested_reviewers.map((u) => u.login));
      expect(logins).not.toContain(pr.author.login);
      for (const review of pr.reviews.nodes) expect(logins).not.toContain(review.author.login);
    }
    expect(graphql.some((pr) => pr.reviewRequests.totalCount > 0)).toBe(true);
    expect(graphql.some((pr) => pr.reviewRequests.totalCount === 0)).toBe(true);
  });

  it('pages reviews, review comments and commits and matches the truth', async () => {
    const repo = repos[1] ?? '';
    for (const n of [1, 2, 3, 10, 20]) {
      const truth = await sim.control<TruthPullRequest>('GET', `/_sim/truth/github/${repo}/pulls/${n}`);
      const reviews = await walk<{ id: number; state: string }>(
        `/repos/${repo}/pulls/${n}/reviews?per_page=2`,
      );
      expect(reviews.map((r) => r.id)).toEqual(truth.reviews.map((r) => r.id));
      const comments = await walk<{ id: number; pull_request_review_id: number }>(
        `/repos/${repo}/pulls/${n}/comments?per_page=2`,
      );
      expect(comments.map((c) => c.id).sort()).toEqual(truth.review_comments.map((c) => c.id).sort());
      const commits = await walk<{ sha: string; commit: { author: { date: string } }; parents: unknown[] }>(
        `/repos/${repo}/pulls/${n}/commits?per_page=3`,
      );
      expect(commits.map((c) => c.sha)).toEqual(truth.commits.map((c) => c.sha));
      expect(commits.length).toBeGreaterThanOrEqual(1);
      expect(truth.pull.commits).toBe(commits.length);
      expect(truth.pull.review_comments).toBe(comments.length);
    }
  });

  it('pages deployments and releases newest first', async () => {
    const repo = repos[0] ?? '';
    const deployments = await walk<{ id: number; created_at: string; environment: string }>(
      `/repos/${repo}/deployments?per_page=9`,
    );
    expect(deployments.length).toBeGreaterThan(9);
    expect(new Set(deployments.map((d) => d.id)).size).toBe(deployments.length);
    const times = deployments.map((d) => d.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    const prod = await walk<{ environment: string }>(
      `/repos/${repo}/deployments?environment=production&per_page=100`,
    );
    expect(prod.length).toBe(deployments.filter((d) => d.environment === 'production').length);
    const releases = await walk<{ tag_name: string; created_at: string }>(
      `/repos/${repo}/releases?per_page=2`,
    );
    expect(releases.length).toBeGreaterThan(2);
    expect(releases.map((r) => r.created_at)).toEqual(
      [...releases.map((r) => r.created_at)].sort().reverse(),
    );
  });
});

describe('ETag and conditional requests', () => {
  it('answers a matching If-None-Match with 304, no body, and no quota cost', async () => {
    const path = `/repos/${repos[0] ?? ''}/pulls?state=all&per_page=5`;
    const first = await sim.github(path);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    const remaining = Number(first.headers.get('x-ratelimit-remaining'));
    await first.arrayBuffer();
    const again = await sim.github(path, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(Number(again.headers.get('x-ratelimit-remaining'))).toBe(remaining);
    const next = await sim.github(path);
    expect(Number(next.headers.get('x-ratelimit-remaining'))).toBe(remaining - 1);
    const stale = await sim.github(path, { headers: { 'if-none-match': 'W/"stale"' } });
    expect(stale.status).toBe(200);
  });

  it('changes the ETag when the PR changes', async () => {
    const repo = repos[0] ?? '';
    const before = await sim.github(`/repos/${repo}/pulls/1`);
    const etag = before.headers.get('etag') ?? '';
    await before.arrayBuffer();
    // Advance every PR so PR 1 certainly changes.
    await sim.control('POST', '/_sim/advance', { pull_requests: 130 });
    const after = await sim.github(`/repos/${repo}/pulls/1`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
  });
});
