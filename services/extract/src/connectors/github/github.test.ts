import type { AdvanceResult, RunningSimulator, StatsSnapshot, TruthSummary } from '@tributary/simulator';
import { startSimulator } from '@tributary/simulator';
import { createBreakerRegistry, createGovernor } from '@tributary/resilience';
import type { BreakerRegistry } from '@tributary/resilience';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSourceClient, createConnector } from '../index.ts';
import { createSourceClient } from '../../http/source-client.ts';
import type { SourceClient } from '../../http/source-client.ts';
import type { ConnectorIntegration } from '../index.ts';
import { contextFor, drain, drainUntilKilled, resumedContext } from '../testing.ts';
import { pullRequestsStream } from './pull-requests.ts';
import { deploymentsStream } from './deployments.ts';
import type { Positions } from '../testing.ts';
import type { Connector, Page, SourceRecord, StreamReader } from '../types.ts';
import type { EntityType } from '@tributary/contracts';
import { simulatorGuard } from '../../http/testing.ts';

let sim: RunningSimulator;
let truth: TruthSummary;
let registry: BreakerRegistry;

function github(repositories: string[], beforeRequest?: () => Promise<void>): Connector {
  const integration: ConnectorIntegration = {
    type: 'github',
    id: 2,
    baseUrl: sim.url,
    credentials: { token: 'sim-github-token' },
    // The REST streams; the GraphQL collector has its own tests (graphql/graphql.test.ts).
    config: { repositories, api: 'rest' },
  };
  const client = buildSourceClient(integration, {
    guard: simulatorGuard,
    registry,
    governor: createGovernor({ name: 'github:2' }),
    beforeRequest,
    retry: { retries: 1, baseMs: 10, capMs: 20 },
  });
  return createConnector(integration, client);
}

const recordsOf = (pages: Page[], entityType: string): SourceRecord[] =>
  pages.filter((p) => p.entityType === entityType).flatMap((p) => p.records);

const updatedAt = (r: SourceRecord): number => Date.parse(String(r.rawData.updated_at));

beforeAll(async () => {
  sim = await startSimulator({ seed: 1, jira: { projects: 2, issues: 20 }, github: { repos: 2, prs: 40 } });
  truth = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
  registry = createBreakerRegistry();
});

afterAll(async () => {
  registry.shutdown();
  await sim.close();
});

describe('github connector against the simulator', () => {
  const repoPositions: Positions = new Map();
  const prPositions: Positions = new Map();
  const deployPositions: Positions = new Map();
  let fullPulls: SourceRecord[] = [];
  let fullDeployments = 0;

  it('testConnection checks the token and every repository', async () => {
    await expect(github(truth.github.repositories).testConnection()).resolves.toBeUndefined();
    await expect(
      github([...truth.github.repositories, 'tributary-sim/nope']).testConnection(),
    ).rejects.toThrow(/tributary-sim\/nope/);
  });

  it('a full run yields exactly the truth', async () => {
    const connector = github(truth.github.repositories);
    const ctx = contextFor('full');
    const repos = await drain(connector.streams.repositories!, ctx, repoPositions);
    const pulls = await drain(connector.streams.pull_requests!, ctx, prPositions);
    const deployments = await drain(connector.streams.deployments!, ctx, deployPositions);

    // A renamed repository answers under its configured name; its payload carries the new one.
    expect(
      recordsOf(repos, 'github_repositories')
        .map((r) => r.rawData.full_name)
        .sort(),
    ).toEqual(truth.github.repositories.map((name) => truth.github.renamed[name] ?? name).sort());
    expect(
      recordsOf(repos, 'github_repositories')
        .map((r) => r.metadata.repository)
        .sort(),
    ).toEqual([...truth.github.repositories].sort());
    for (const repo of truth.github.repositories) expect(repoPositions.get(repo)?.etag).toMatch(/^W\/"/);

    fullPulls = recordsOf(pulls, 'github_pull_requests');
    const reviews = recordsOf(pulls, 'github_reviews');
    const comments = recordsOf(pulls, 'github_review_comments');
    const commits = recordsOf(pulls, 'github_commits');
    expect(fullPulls).toHaveLength(truth.github.pull_requests);
    expect(reviews).toHaveLength(truth.github.reviews);
    expect(comments).toHaveLength(truth.github.review_comments);
    // One record per (pull request, commit); a commit shared by two PRs comes once for each.
    expect(commits).toHaveLength(truth.github.pull_request_commits);
    expect(new Set(commits.map((r) => r.rawData.sha)).size).toBe(truth.github.commits);
    for (const records of [fullPulls, reviews, comments, commits]) {
      expect(new Set(records.map((r) => r.externalId)).size).toBe(records.length);
    }
    // The single-PR shape, not the list's.
    expect(fullPulls.every((r) => typeof r.rawData.additions === 'number' && 'merged' in r.rawData)).toBe(
      true,
    );
    for (const r of [...fullPulls, ...reviews, ...comments, ...commits]) {
      expect(truth.github.repositories).toContain(r.metadata.repository);
      expect(r.metadata.pull_number).toEqual(expect.any(Number));
    }
    expect(
      commits.every(
        (r) =>
          r.externalId ===
          `${String(r.metadata.repository)}#${String(r.metadata.pull_number)}@${String(r.rawData.sha)}`,
      ),
    ).toBe(true);
    expect(pulls.every((p) => p.records.length <= 500)).toBe(true);

    // One closing checkpoint per repository (one list page each), carrying the newest updated_at listed.
    const checkpoints = pulls.filter((p) => p.checkpoint);
    expect(checkpoints.map((p) => p.checkpoint?.scope)).toEqual(truth.github.repositories);
    for (const repo of truth.github.repositories) {
      const newest = Math.max(...fullPulls.filter((r) => r.metadata.repository === repo).map(updatedAt));
      expect(prPositions.get(repo)?.cursor).toBe(new Date(newest).toISOString());
    }

    const deploys = recordsOf(deployments, 'github_deployments');
    fullDeployments = deploys.length;
    expect(deploys.length).toBeGreaterThan(0);
    expect(new Set(deploys.map((r) => r.externalId)).size).toBe(deploys.length);
    for (const repo of truth.github.repositories) expect(deployPositions.get(repo)?.cursor).toBeTruthy();
  });

  it('a second run: repositories answer 304, pull requests only those changed (and overlap ones)', async () => {
    const connector = github(truth.github.repositories);
    const ctx = (positions: Positions) => contextFor('incremental', positions);
    await sim.control('DELETE', '/_sim/stats');
    const etags = truth.github.repositories.map((r) => repoPositions.get(r)?.etag);
    const repos = await drain(connector.streams.repositories!, ctx(repoPositions), repoPositions);
    expect(repos).toHaveLength(truth.github.repositories.length);
    expect(repos.every((p) => p.records.length === 0 && p.checkpoint !== undefined)).toBe(true);
    expect(truth.github.repositories.map((r) => repoPositions.get(r)?.etag)).toEqual(etags);
    expect((await sim.control<StatsSnapshot>('GET', '/_sim/stats')).not_modified).toBe(
      truth.github.repositories.length,
    );

    const cursors = new Map(truth.github.repositories.map((r) => [r, prPositions.get(r)?.cursor]));
    const advanced = await sim.control<AdvanceResult>('POST', '/_sim/advance', { pull_requests: 3 });
    await sim.control('DELETE', '/_sim/stats');
    const pulls = await drain(connector.streams.pull_requests!, ctx(prPositions), prPositions);
    const got = recordsOf(pulls, 'github_pull_requests');
    const key = (repository: unknown, n: unknown): string => `${String(repository)}#${String(n)}`;
    const changed = new Set(advanced.pull_requests.map((p) => key(p.repository, p.number)));
    const gotKeys = new Set(got.map((r) => key(r.metadata.repository, r.rawData.number)));
    for (const k of changed) expect(gotKeys).toContain(k);
    // Anything else was listed in the overlap window before its repository's cursor.
    const overlap = fullPulls.filter(
      (r) => updatedAt(r) >= Date.parse(cursors.get(String(r.metadata.repository)) ?? '') - 5 * 60_000,
    );
    for (const k of gotKeys) {
      expect(changed.has(k) || overlap.some((r) => key(r.metadata.repository, r.rawData.number) === k)).toBe(
        true,
      );
    }
    const stats = await sim.control<StatsSnapshot>('GET', '/_sim/stats');
    // One list page per repository, four calls per changed pull request.
    expect(stats.total_requests).toBeLessThanOrEqual(truth.github.repositories.length + 4 * gotKeys.size);
    for (const p of advanced.pull_requests) {
      expect(Date.parse(prPositions.get(p.repository)?.cursor ?? '')).toBeGreaterThanOrEqual(
        Date.parse(advanced.at) - 1000,
      );
    }

    const deployments = await drain(connector.streams.deployments!, ctx(deployPositions), deployPositions);
    expect(recordsOf(deployments, 'github_deployments').length).toBeLessThan(fullDeployments);
  });

  it('a run with nothing changed: each pull request list answers 304 (no quota) and nothing is read again', async () => {
    const connector = github(truth.github.repositories);
    const before = new Map(prPositions);
    await sim.control('DELETE', '/_sim/stats');
    const pulls = await drain(
      connector.streams.pull_requests!,
      contextFor('incremental', prPositions),
      prPositions,
    );
    expect(pulls.flatMap((p) => p.records)).toEqual([]);
    const stats = await sim.control<StatsSnapshot>('GET', '/_sim/stats');
    expect(stats).toMatchObject({
      total_requests: truth.github.repositories.length,
      not_modified: truth.github.repositories.length,
    });
    // The cursor and the ETag stay as they were.
    expect(prPositions).toEqual(before);
  });

  it('beforeRequest throwing stops the stream with that error', async () => {
    const stop = new Error('paused by operator');
    let calls = 0;
    const connector = github(truth.github.repositories, async () => {
      calls++;
      if (calls > 3) throw stop;
    });
    await expect(drain(connector.streams.pull_requests!, contextFor('full'))).rejects.toBe(stop);
    // Details of several pull requests are fetched at once, so a few calls were already under way.
    const after = calls;
    expect(after).toBeGreaterThan(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(after);
  });
});

/**
 * Runs `body` against a simulator of its own (one repository of `prs` pull requests), with a
 * client to it through breaker `breaker`, then closes it.
 */
async function withOwnSimulator(
  options: { seed: number; prs: number; breaker: string },
  body: (own: { sim: RunningSimulator; summary: TruthSummary; client: SourceClient }) => Promise<void>,
): Promise<void> {
  const own = await startSimulator({
    seed: options.seed,
    jira: { projects: 1, issues: 5 },
    github: { repos: 1, prs: options.prs },
  });
  try {
    const summary = await own.control<TruthSummary>('GET', '/_sim/truth/summary');
    const client = createSourceClient({
      guard: simulatorGuard,
      source: 'github',
      baseUrl: own.url,
      authorization: own.githubAuth,
      breaker: registry.get(options.breaker),
    });
    await body({ sim: own, summary, client });
  } finally {
    await own.close();
  }
}

/**
 * Kills a full run of `stream()` at its `killAt`-th non-empty page of `entityType`, checks that
 * `repository` saved a walk, resumes the run to its end and checks the cursor became an instant.
 * Returns the distinct ids stored per entity type (killed run, then resumed) and how many
 * `entityType` records were fetched in all, the lost ones too.
 */
async function killAndResume(
  stream: () => StreamReader,
  repository: string,
  entityType: EntityType,
  killAt: number,
): Promise<{ distinct: (entityType: EntityType) => number; fetched: number }> {
  const positions: Positions = new Map();
  let pages = 0;
  const killed = await drainUntilKilled(
    stream(),
    contextFor('full'),
    positions,
    (p) => p.entityType === entityType && p.records.length > 0 && ++pages === killAt,
  );
  expect(positions.get(repository)?.cursor).toMatch(/^\{"walk"/);
  const resumed = await drain(stream(), resumedContext(positions), positions);
  expect(positions.get(repository)?.cursor).toMatch(/^\d{4}-\d\d-\d\dT/);
  const stored = [...killed.stored, ...resumed];
  return {
    distinct: (type) => new Set(recordsOf(stored, type).map((r) => r.externalId)).size,
    fetched: recordsOf([...killed.stored, ...killed.lost, ...resumed], entityType).length,
  };
}

describe('a full run killed mid-repository', () => {
  // 150 PRs in one repository: two list pages of 100 and 50; a flush every 40 PRs saves the walk.
  it.each([
    ['inside a list page', 2],
    ['past the first list page', 4],
  ])('goes on at the next page %s, reading again only the page in flight', async (_where, killAtPage) => {
    await withOwnSimulator({ seed: 5, prs: 150, breaker: 'github:resume' }, async ({ summary, client }) => {
      const stream = () =>
        pullRequestsStream({
          client,
          repositories: summary.github.repositories,
          overlapMs: 0,
          flushEvery: 40,
        });
      const run = await killAndResume(
        stream,
        summary.github.repositories[0] ?? '',
        'github_pull_requests',
        killAtPage,
      );
      expect(run.distinct('github_pull_requests')).toBe(summary.github.pull_requests);
      expect(run.distinct('github_reviews')).toBe(summary.github.reviews);
      expect(run.distinct('github_review_comments')).toBe(summary.github.review_comments);
      expect(run.distinct('github_commits')).toBe(summary.github.pull_request_commits);
      expect(run.fetched - summary.github.pull_requests).toBeLessThanOrEqual(40);
    });
  });
});

describe('a full deployments run killed mid-repository', () => {
  it('goes on at the next list page, reading again only the page in flight', async () => {
    // 400 PRs: 240 deployments in one repository, three list pages.
    await withOwnSimulator({ seed: 6, prs: 400, breaker: 'github:resume-deploy' }, async (own) => {
      const truthDeployments = await own.sim.control<{ id: number; statuses: unknown[] }[]>(
        'GET',
        '/_sim/truth/github/deployments',
      );
      expect(truthDeployments.length).toBeGreaterThan(200);
      const repositories = own.summary.github.repositories;
      const run = await killAndResume(
        () => deploymentsStream(own.client, repositories, 0),
        repositories[0] ?? '',
        'github_deployments',
        2,
      );
      expect(run.distinct('github_deployments')).toBe(truthDeployments.length);
      expect(run.distinct('github_deployment_statuses')).toBe(
        truthDeployments.reduce((n, d) => n + d.statuses.length, 0),
      );
      expect(run.fetched - truthDeployments.length).toBeLessThanOrEqual(100);
    });
  });
});

describe('pull request pages', () => {
  it('never carry more than 500 records, whatever accumulates', async () => {
    await withOwnSimulator({ seed: 5, prs: 150, breaker: 'github:big' }, async ({ summary, client }) => {
      expect(summary.github.commits).toBeGreaterThan(500);
      const stream = pullRequestsStream({
        client,
        repositories: summary.github.repositories,
        overlapMs: 0,
        flushEvery: 10_000,
      });
      const pages = await drain(stream, contextFor('full'));
      expect(pages.some((p) => p.records.length === 500)).toBe(true);
      expect(pages.every((p) => p.records.length <= 500)).toBe(true);
      expect(recordsOf(pages, 'github_commits')).toHaveLength(summary.github.pull_request_commits);
      expect(recordsOf(pages, 'github_pull_requests')).toHaveLength(summary.github.pull_requests);
    });
  });
});
