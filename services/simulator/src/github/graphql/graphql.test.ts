import { parse, getOperationAST } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../testing.ts';
import type { RunningSimulator } from '../../testing.ts';
import type { StatsSnapshot } from '../../faults/stats.ts';
import { queryCost } from './cost.ts';
import { githubSchema } from './schema.ts';

let sim: RunningSimulator;
let repo: [string, string];

const gql = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await sim.github('/graphql', { method: 'POST', body: JSON.stringify({ query, variables }) });
  return {
    res,
    body: (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { type?: string; message: string }[];
    },
  };
};

beforeAll(async () => {
  sim = await startSimulator({
    seed: 3,
    github: { repos: 1, prs: 12 },
    limits: { github: { limit: 10, windowSeconds: 3600 } },
  });
  const truth = await sim.control<{ github: { repositories: string[] } }>('GET', '/_sim/truth/summary');
  const [owner = '', name = ''] = truth.github.repositories[0]?.split('/') ?? [];
  repo = [owner, name];
});

afterAll(async () => {
  await sim.close();
});

describe('simulated GitHub GraphQL API', () => {
  it("computes cost as GitHub's documentation does: 5 101 requests cost 51 points", () => {
    // The worked example of "Calculating a rate limit score before running the call".
    const text = `query { viewer { login repositories(first: 100) { edges { node { id issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } } }`;
    const document = parse(text);
    const operation = getOperationAST(document);
    if (!operation) throw new Error('no operation');
    const cost = queryCost(githubSchema(), document, operation, {});
    expect(cost).toMatchObject({ requests: 5101, cost: 51, nodes: 100 + 5000 + 300_000, errors: [] });
  });

  it('answers a pull request page with rateLimit and x-ratelimit headers for the graphql resource', async () => {
    const { res, body } = await gql(
      `query P($o: String!, $n: String!) { rateLimit { cost remaining resetAt } repository(owner: $o, name: $n) { pullRequests(first: 5, orderBy: { field: UPDATED_AT, direction: DESC }) { totalCount nodes { number updatedAt state reviews(first: 5) { nodes { state } } } } } }`,
      { o: repo[0], n: repo[1] },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-resource')).toBe('graphql');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('9');
    const data = body.data as {
      rateLimit: { cost: number; remaining: number };
      repository: { pullRequests: { totalCount: number; nodes: { updatedAt: string }[] } };
    };
    expect(data.rateLimit).toMatchObject({ cost: 1, remaining: 9 });
    expect(data.repository.pullRequests.totalCount).toBe(12);
    const times = data.repository.pullRequests.nodes.map((n) => Date.parse(n.updatedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('refuses fields GitHub does not have, and pages beyond 100, without charging', async () => {
    const unknown = await gql('{ viewer { login pullRequestCount } }');
    expect(unknown.body.errors?.[0]?.message).toContain(
      'Cannot query field "pullRequestCount" on type "User"',
    );
    const big = await gql(
      `{ repository(owner: "${repo[0]}", name: "${repo[1]}") { pullRequests(first: 101) { nodes { number } } } }`,
    );
    expect(big.body.errors?.[0]).toMatchObject({ type: 'EXCESSIVE_PAGINATION' });
    const stats = await sim.control<StatsSnapshot>('GET', '/_sim/stats');
    expect(stats.graphql_points).toBe(1);
  });

  it('answers RATE_LIMITED in a 200 once the points are spent, and again after the window resets', async () => {
    for (let i = 0; i < 9; i++) expect((await gql('{ viewer { login } }')).res.status).toBe(200);
    const limited = await gql('{ viewer { login } }');
    expect(limited.res.status).toBe(200);
    expect(limited.body.errors?.[0]?.type).toBe('RATE_LIMITED');
    expect(limited.res.headers.get('x-ratelimit-remaining')).toBe('0');

    await sim.control('DELETE', '/_sim/graphql/quota');
    expect((await gql('{ viewer { login } }')).body.errors).toBeUndefined();
  });

  it('reports each id nodes(ids:) cannot resolve as NOT_FOUND at its index, keeping the others', async () => {
    await sim.control('DELETE', '/_sim/graphql/quota');
    const page = await gql(
      `{ repository(owner: "${repo[0]}", name: "${repo[1]}") { pullRequests(first: 1) { nodes { id number } } } }`,
    );
    const pr = (
      page.body.data as { repository: { pullRequests: { nodes: { id: string; number: number }[] } } }
    ).repository.pullRequests.nodes[0];
    const { body } = await gql(
      'query N($ids: [ID!]!) { nodes(ids: $ids) { ... on PullRequest { number } } }',
      { ids: [pr?.id, 'PR_kwDOgone'] },
    );
    expect(body.data).toEqual({ nodes: [{ number: pr?.number }, null] });
    expect(body.errors).toEqual([expect.objectContaining({ type: 'NOT_FOUND', path: ['nodes', 1] })]);
  });

  it('times out a query asking for too many nodes with the 502 GitHub sends', async () => {
    await sim.control('POST', '/_sim/graphql/faults', { timeout_above_nodes: 50 });
    const q = (n: number) =>
      `{ repository(owner: "${repo[0]}", name: "${repo[1]}") { pullRequests(first: ${n}) { nodes { number } } } }`;
    const timedOut = await gql(q(60));
    expect(timedOut.res.status).toBe(502);
    expect(timedOut.body.errors?.[0]?.message).toContain('This may be the result of a timeout');
    expect((await gql(q(40))).res.status).toBe(200);
    await sim.control('DELETE', '/_sim/graphql/faults');
  });
});
