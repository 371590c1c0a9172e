import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../testing.ts';
import type { RunningSimulator } from '../testing.ts';
import type { StatsSnapshot } from './stats.ts';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const small = { jira: { projects: 1, issues: 10 }, github: { repos: 1, prs: 5 } };
const JQL = '/rest/api/3/search/jql?jql=updated%20%3E%3D%20%222000-01-01%22&fields=summary';

describe('rate limits', () => {
  it('GitHub: headers count down, over quota is 403, the window resets, tokens are separate', async () => {
    let now = Date.UTC(2026, 0, 1);
    const s = (sim = await startSimulator({
      ...small,
      github: { ...small.github, tokens: ['tok-a', 'tok-b'] },
      limits: { github: { limit: 3, windowSeconds: 60 } },
      now: () => now,
    }));
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await s.github('/user');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      expect(res.headers.get('x-ratelimit-resource')).toBe('core');
      expect(res.headers.get('x-ratelimit-reset')).toBe(
        String(Math.ceil((Date.UTC(2026, 0, 1) + 60_000) / 1000)),
      );
      remaining.push(`${res.headers.get('x-ratelimit-remaining')}/${res.headers.get('x-ratelimit-used')}`);
    }
    expect(remaining).toEqual(['2/1', '1/2', '0/3']);
    const over = await s.github('/user');
    expect(over.status).toBe(403);
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(((await over.json()) as { message: string }).message).toMatch(/^API rate limit exceeded for /);
    // /rate_limit is free and reports the exhausted window.
    const rl = (await (await s.github('/rate_limit')).json()) as {
      resources: { core: { remaining: number; used: number } };
      rate: { limit: number };
    };
    expect(rl.resources.core).toMatchObject({ remaining: 0, used: 3 });
    expect(rl.rate.limit).toBe(3);
    const other = await s.github('/user', { headers: { authorization: 'Bearer tok-b' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('x-ratelimit-remaining')).toBe('2');
    now += 61_000;
    const after = await s.github('/user');
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-remaining')).toBe('2');
  });

  it('Jira: X-RateLimit headers, then 429 with Retry-After and an ISO reset time', async () => {
    let now = Date.UTC(2026, 0, 1);
    const s = (sim = await startSimulator({
      ...small,
      limits: { jira: { limit: 2, windowSeconds: 10 } },
      now: () => now,
    }));
    expect((await s.jira(JQL)).headers.get('x-ratelimit-remaining')).toBe('1');
    expect((await s.jira(JQL)).headers.get('x-ratelimit-remaining')).toBe('0');
    const over = await s.jira(JQL);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('10');
    expect(over.headers.get('x-ratelimit-limit')).toBe('2');
    expect(over.headers.get('x-ratelimit-reset')).toBe(new Date(Date.UTC(2026, 0, 1) + 10_000).toISOString());
    expect(await over.json()).toMatchObject({ errorMessages: [expect.any(String)], errors: {} });
    now += 10_000;
    expect((await s.jira(JQL)).status).toBe(200);
  });

  it('burst limits set at run time answer 429 with retry-after; DELETE /_sim/faults lifts them', async () => {
    const s = (sim = await startSimulator({ ...small, now: () => Date.UTC(2026, 0, 1) }));
    await s.control('POST', '/_sim/faults', {
      limits: { burst: { limit: 2, windowSeconds: 30, status: 429, retryAfter: 5 } },
    });
    expect((await s.github('/user')).status).toBe(200);
    expect((await s.github('/user')).status).toBe(200);
    const burst = await s.github('/user');
    expect(burst.status).toBe(429);
    expect(Number(burst.headers.get('retry-after'))).toBeGreaterThanOrEqual(5);
    expect(((await burst.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    await s.control('DELETE', '/_sim/faults');
    expect((await s.github('/user')).status).toBe(200);
  });
});

describe('fault rules', () => {
  it('status faults apply to the next N matching requests, with retry-after and API-shaped bodies', async () => {
    const s = (sim = await startSimulator(small));
    await s.control('POST', '/_sim/faults', {
      path: '/rest/api/3/search/*',
      kind: 'status',
      status: 503,
      retry_after: 2,
      count: 2,
    });
    for (let i = 0; i < 2; i++) {
      const res = await s.jira(JQL);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.json()).toMatchObject({ errorMessages: [expect.any(String)], errors: {} });
    }
    expect((await s.jira(JQL)).status).toBe(200);
    // Non-matching paths are untouched.
    await s.control('POST', '/_sim/faults', { path: 're:^/repos/.*/pulls$', kind: 'status', status: 502 });
    expect((await s.jira('/rest/api/3/myself')).status).toBe(200);
    const gh = await s.github('/repos/tributary-sim/x/pulls');
    expect(gh.status).toBe(502);
    expect(await gh.json()).toHaveProperty('message');
  });

  it('hang never answers: the client gives up via its own timeout', async () => {
    const s = (sim = await startSimulator(small));
    await s.control('POST', '/_sim/faults', { path: '/user', kind: 'hang', count: 1 });
    await expect(s.github('/user', { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect((await s.github('/user')).status).toBe(200);
  });

  it('reset destroys the socket so fetch rejects', async () => {
    const s = (sim = await startSimulator(small));
    await s.control('POST', '/_sim/faults', { path: '/rest/**', kind: 'reset', count: 1 });
    await expect(s.jira('/rest/api/3/myself')).rejects.toThrow();
    expect((await s.jira('/rest/api/3/myself')).status).toBe(200);
  });

  it('truncated keeps status and headers but cuts the JSON in half; malformed is invalid JSON with 200', async () => {
    const s = (sim = await startSimulator(small));
    const full = await (await s.jira(JQL)).text();
    await s.control('POST', '/_sim/faults', { path: '/rest/api/3/search/jql', kind: 'truncated', count: 1 });
    const cut = await s.jira(JQL);
    expect(cut.status).toBe(200);
    expect(cut.headers.get('content-type')).toMatch(/application\/json/);
    const text = await cut.text();
    expect(text).toBe(full.slice(0, Math.floor(full.length / 2)));
    expect(() => JSON.parse(text) as unknown).toThrow();

    await s.control('POST', '/_sim/faults', { path: '/user', kind: 'malformed', count: 1 });
    const bad = await s.github('/user');
    expect(bad.status).toBe(200);
    await expect(bad.json()).rejects.toThrow();
    expect((await s.github('/user')).status).toBe(200);
  });

  it('latency delays but answers; probability 0 never fires and 1 always does', async () => {
    const s = (sim = await startSimulator(small));
    await s.control('POST', '/_sim/faults', [
      { path: '/user', kind: 'latency', latency_ms: 20, count: 1 },
      { path: '/rest/api/3/myself', kind: 'status', status: 500, probability: 0 },
      { path: '/rest/api/3/status', kind: 'status', status: 500, probability: 1 },
    ]);
    expect((await s.github('/user')).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await s.jira('/rest/api/3/myself')).status).toBe(200);
      expect((await s.jira('/rest/api/3/status')).status).toBe(500);
    }
    const stats = await s.control<StatsSnapshot>('GET', '/_sim/stats');
    expect(stats.faults).toEqual({ latency: 1, status: 5 });
  });

  it('faults can be configured at start', async () => {
    const s = (sim = await startSimulator({
      ...small,
      faults: [{ path: '/user', kind: 'status', status: 502, count: 1 }],
    }));
    expect((await s.github('/user')).status).toBe(502);
    expect((await s.github('/user')).status).toBe(200);
  });
});

describe('stats', () => {
  it('counts by route template and status, 304s, quota and faults; control routes are not counted', async () => {
    const s = (sim = await startSimulator(small));
    const repo =
      (await s.control<{ github: { repositories: string[] } }>('GET', '/_sim/truth/summary')).github
        .repositories[0] ?? '';
    const first = await s.github(`/repos/${repo}/pulls/1`);
    const etag = first.headers.get('etag') ?? '';
    await s.github(`/repos/${repo}/pulls/2`);
    await s.github(`/repos/${repo}/pulls/1`, { headers: { 'if-none-match': etag } });
    await s.github('/user', { headers: { authorization: 'Bearer wrong' } });
    await s.jira(JQL);
    await s.control('POST', '/_sim/faults', { path: '/user', kind: 'reset', count: 1 });
    await expect(s.github('/user')).rejects.toThrow();
    const stats = await s.control<StatsSnapshot>('GET', '/_sim/stats');
    expect(stats.requests['GET /repos/:owner/:repo/pulls/:number']).toEqual({
      total: 3,
      by_status: { '200': 2, '304': 1 },
    });
    expect(stats.requests['GET /user']).toEqual({ total: 2, by_status: { '401': 1, 'no-response': 1 } });
    expect(stats.requests['GET /rest/api/3/search/jql']?.total).toBe(1);
    expect(stats.not_modified).toBe(1);
    expect(stats.quota_used).toEqual({ 'github:sim-github-token': 2, 'jira:sim@example.com': 1 });
    expect(stats.faults).toEqual({ reset: 1 });
    expect(Object.keys(stats.requests).some((k) => k.includes('/_sim'))).toBe(false);
    await s.control('DELETE', '/_sim/stats');
    const cleared = await s.control<StatsSnapshot>('GET', '/_sim/stats');
    expect(cleared.total_requests).toBe(0);
  });
});
