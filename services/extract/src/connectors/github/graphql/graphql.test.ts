import { validate } from '@octokit/graphql-schema';
import { z } from 'zod';
import type { RunningSimulator, StatsSnapshot, TruthSummary } from '@tributary/simulator';
import { startSimulator } from '@tributary/simulator';
import { createBreakerRegistry, createGovernor } from '@tributary/resilience';
import type { BreakerRegistry, RateLimitGovernor } from '@tributary/resilience';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildSourceClient, createConnector } from '../../index.ts';
import type { ConnectorIntegration } from '../../index.ts';
import { contextFor, drain, drainUntilKilled, resumedContext } from '../../testing.ts';
import type { Positions } from '../../testing.ts';
import type { Page, SourceRecord } from '../../types.ts';
import { createGraphqlClient, graphqlPath } from './client.ts';
import { graphqlPullRequestsStream } from './pull-requests.ts';
import type { GraphqlPullRequestsOptions } from './pull-requests.ts';
import { allQueries, CONNECTION_TEST_QUERY, pullRequestsQuery, reviewCommentsQuery } from './queries.ts';
import { simulatorGuard } from '../../../http/testing.ts';

let sim: RunningSimulator;
let truth: TruthSummary;
let registry: BreakerRegistry;

/** The simulator's GitHub as integration `id`, over `repositories` (the seeded ones unless given). */
function simIntegration(id: number, repositories = truth.github.repositories): ConnectorIntegration {
  return {
    type: 'github',
    id,
    baseUrl: sim.url,
    credentials: { token: 'sim-github-token' },
    config: { repositories },
  };
}

const NO_RETRY = { retries: 0, baseMs: 1, capMs: 1 };

/** A source client to the simulator for `integration`, through `governor` when one is given. */
function simClient(integration: ConnectorIntegration, governor?: RateLimitGovernor, retry = NO_RETRY) {
  return buildSourceClient(integration, {
    registry,
    guard: simulatorGuard,
    retry,
    ...(governor ? { governor } : {}),
  });
}

function stream(extra: Partial<GraphqlPullRequestsOptions> = {}) {
  const governor = createGovernor({ name: 'github:14' });
  const client = simClient(simIntegration(14), governor, { retries: 2, baseMs: 10, capMs: 20 });
  return graphqlPullRequestsStream({
    query: createGraphqlClient({ client, baseUrl: sim.url, governor }),
    repositories: truth.github.repositories,
    overlapMs: 0,
    ...extra,
  });
}

const recordsOf = (pages: Page[], entityType: string): SourceRecord[] =>
  pages.filter((p) => p.entityType === entityType).flatMap((p) => p.records);
const stats = () => sim.control<StatsSnapshot>('GET', '/_sim/stats');

beforeAll(async () => {
  // A short quota window so a RATE_LIMITED answer resets within the test.
  sim = await startSimulator({
    seed: 11,
    github: { repos: 2, prs: 60 },
    limits: { github: { limit: 5000, windowSeconds: 2 } },
  });
  truth = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
  registry = createBreakerRegistry();
});

afterEach(async () => {
  await sim.control('DELETE', '/_sim/graphql/faults');
});

afterAll(async () => {
  registry.shutdown();
  await sim.close();
});

describe('GitHub GraphQL collector', () => {
  it("sends only queries GitHub's published schema accepts", () => {
    const queries = {
      ...allQueries(),
      small: pullRequestsQuery({ labels: 1, reviewRequests: 1, reviews: 1, commits: 1 }),
      smallComments: reviewCommentsQuery(1),
    };
    for (const [name, text] of Object.entries(queries)) {
      expect({ name, errors: validate(text).map((e) => e.message) }).toEqual({ name, errors: [] });
    }
  });

  it('finds the GraphQL endpoint beside the REST root on github.com and GitHub Enterprise Server', () => {
    expect(graphqlPath('https://api.github.com')).toBe('/graphql');
    expect(graphqlPath('https://ghe.example.com/api/v3')).toBe('https://ghe.example.com/api/graphql');
  });

  it('tests the connection over GraphQL too, so a server without it fails the test rather than the run', async () => {
    const integration = simIntegration(16);
    const connector = createConnector(integration, simClient(integration));
    await expect(connector.testConnection()).resolves.toBeUndefined();
    await sim.control('POST', '/_sim/faults', { path: '/graphql', kind: 'status', status: 404, count: 1 });
    await expect(connector.testConnection()).rejects.toThrow('HTTP 404');
  });

  it('keeps GraphQL points and REST requests apart in the governor, as GitHub counts them', async () => {
    const governor = createGovernor({ name: 'github:17' });
    const client = simClient(simIntegration(17), governor);
    const answer = await createGraphqlClient({ client, baseUrl: sim.url, governor })(
      CONNECTION_TEST_QUERY,
      {},
      new AbortController().signal,
    );
    const rest = await client.get('/user');
    const points = z.object({ remaining: z.number() }).parse(answer.data.rateLimit);
    expect(answer.response.headers['x-ratelimit-resource']).toBe('graphql');
    expect(rest.headers['x-ratelimit-resource']).toBe('core');
    expect(governor.state('graphql').remaining).toBe(points.remaining);
    expect(governor.state('core').remaining).toBe(Number(rest.headers['x-ratelimit-remaining']));
    expect(Object.keys(governor.state().budgets).sort()).toEqual(['core', 'graphql']);
  });

  const positions: Positions = new Map();

  it('reads every pull request, review, review comment and commit, each raw record marked api graphql with its query', async () => {
    await sim.control('DELETE', '/_sim/stats');
    const pages = await drain(stream(), contextFor('incremental', positions), positions);
    expect(recordsOf(pages, 'github_pull_requests')).toHaveLength(truth.github.pull_requests);
    expect(recordsOf(pages, 'github_reviews')).toHaveLength(truth.github.reviews);
    expect(recordsOf(pages, 'github_review_comments')).toHaveLength(truth.github.review_comments);
    expect(new Set(recordsOf(pages, 'github_commits').map((r) => r.rawData.oid)).size).toBe(
      truth.github.commits,
    );
    const [pr] = recordsOf(pages, 'github_pull_requests');
    expect(pr?.metadata).toMatchObject({ api: 'graphql', query: 'TributaryPullRequests' });
    expect(pr?.rawData).not.toHaveProperty('reviews');
    expect(recordsOf(pages, 'github_review_comments')[0]?.metadata).toMatchObject({
      api: 'graphql',
      query: 'TributaryReviewComments',
    });
    // Per repository (30 PRs) one page query (charged for the 36 PRs it asks: (1 + 36 × 4 + 1) ÷ 100
    // rounds to 1) and one lookup of up to 149 reviews' comments (1).
    const s = await stats();
    expect(s.graphql_points).toBe(2 * truth.github.repositories.length);
    expect(positions.size).toBe(truth.github.repositories.length);
  });

  it('spends 1 point per repository when nothing changed', async () => {
    await sim.control('DELETE', '/_sim/stats');
    const pages = await drain(stream(), contextFor('incremental', positions), positions);
    // The bound is inclusive: the PR updated at the cursor instant is read again (same content, same hash).
    expect(recordsOf(pages, 'github_pull_requests').length).toBeLessThanOrEqual(
      truth.github.repositories.length,
    );
    expect((await stats()).graphql_points).toBe(truth.github.repositories.length);
  });

  it('finishes long nested lists with follow-up queries for that pull request only', async () => {
    const pages = await drain(
      stream({ nestedSizes: { reviews: 1, commits: 1, labels: 1 }, reviewCommentsFirst: 1, pageSize: 20 }),
      contextFor('full'),
    );
    expect(recordsOf(pages, 'github_reviews')).toHaveLength(truth.github.reviews);
    expect(recordsOf(pages, 'github_review_comments')).toHaveLength(truth.github.review_comments);
    expect(new Set(recordsOf(pages, 'github_commits').map((r) => r.rawData.oid)).size).toBe(
      truth.github.commits,
    );
    const s = await stats();
    const names = Object.keys(s.requests);
    expect(names.some((n) => n.includes('/graphql'))).toBe(true);
  });

  it('a full run killed mid-repository goes on at the next page: only the page in flight is read again, no waiting review is lost', async () => {
    const positions: Positions = new Map();
    let pullPages = 0;
    const killed = await drainUntilKilled(
      stream({ pageSize: 10 }),
      contextFor('full'),
      positions,
      (p) => p.entityType === 'github_pull_requests' && p.records.length > 0 && ++pullPages === 2,
    );
    // Killed in the first repository, whose walk (with the reviews whose comments were still to be looked up) is saved.
    const [first] = truth.github.repositories;
    expect(positions.get(first ?? '')?.cursor).toMatch(/^\{"walk":.*"pending":\[\["/);
    const resumed = await drain(stream({ pageSize: 10 }), resumedContext(positions), positions);
    const stored = [...killed.stored, ...resumed];
    const ids = (pages: Page[], entityType: string) =>
      new Set(recordsOf(pages, entityType).map((r) => r.externalId));
    expect(ids(stored, 'github_pull_requests').size).toBe(truth.github.pull_requests);
    expect(ids(stored, 'github_reviews').size).toBe(truth.github.reviews);
    expect(ids(stored, 'github_review_comments').size).toBe(truth.github.review_comments);
    expect(new Set(recordsOf(stored, 'github_commits').map((r) => r.rawData.oid)).size).toBe(
      truth.github.commits,
    );
    const fetched = recordsOf([...killed.stored, ...killed.lost, ...resumed], 'github_pull_requests').length;
    expect(fetched - truth.github.pull_requests).toBeLessThanOrEqual(10);
    // The walk ended: each repository's cursor is an instant again, so an incremental run can trust it.
    for (const repo of truth.github.repositories)
      expect(positions.get(repo)?.cursor).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('shrinks the page and asks again when a query times out', async () => {
    await sim.control('DELETE', '/_sim/stats');
    // A 30-PR page asks for 30 × 80 nested nodes; 16 PRs fit under the limit.
    await sim.control('POST', '/_sim/graphql/faults', { timeout_above_nodes: 1500 });
    const pages = await drain(stream(), contextFor('full'));
    expect(recordsOf(pages, 'github_pull_requests')).toHaveLength(truth.github.pull_requests);
    const s = await stats();
    expect(s.requests['POST /graphql']?.by_status['502']).toBeGreaterThan(0);
  });

  it('waits out RATE_LIMITED and asks again a partial answer (errors beside data), losing nothing', async () => {
    await sim.control('POST', '/_sim/graphql/faults', { rate_limited: 1, partial: 1 });
    const pages = await drain(stream(), contextFor('full'));
    expect(recordsOf(pages, 'github_pull_requests')).toHaveLength(truth.github.pull_requests);
    expect(new Set(recordsOf(pages, 'github_commits').map((r) => r.rawData.oid)).size).toBe(
      truth.github.commits,
    );
    expect((await stats()).rate_limited.primary).toBeGreaterThan(0);
  });

  it('retries a secondary limit (403 with retry-after) like the REST client does', async () => {
    await sim.control('POST', '/_sim/faults', {
      path: '/graphql',
      kind: 'status',
      status: 403,
      retry_after: 0,
      count: 1,
    });
    const pages = await drain(stream(), contextFor('full'));
    expect(recordsOf(pages, 'github_pull_requests')).toHaveLength(truth.github.pull_requests);
  });

  it('fails naming the repository GitHub cannot resolve', async () => {
    const bad = graphqlPullRequestsStream({
      query: createGraphqlClient({
        client: simClient(simIntegration(15, ['tributary-sim/nope'])),
        baseUrl: sim.url,
      }),
      repositories: ['tributary-sim/nope'],
      overlapMs: 0,
    });
    await expect(drain(bad, contextFor('full'))).rejects.toThrow(
      "NOT_FOUND: Could not resolve to a Repository with the name 'tributary-sim/nope'.",
    );
  });
});
