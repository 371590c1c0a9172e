import type { RunningSimulator, StatsSnapshot } from '@tributary/simulator';
import { startSimulator } from '@tributary/simulator';
import {
  BreakerOpenError,
  createBreakerRegistry,
  createGovernor,
  CredentialsRejectedError,
  HttpError,
  UpstreamUnavailableError,
} from '@tributary/resilience';
import type { BreakerRegistry } from '@tributary/resilience';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextLink } from './link.ts';
import { anyOf } from '../../../../tests/support/matchers.ts';
import { createSourceClient, metadataFor, resolveUrl, withQuery } from './source-client.ts';
import type { SourceClient, SourceClientOptions } from './source-client.ts';
import { simulatorGuard } from './testing.ts';

let sim: RunningSimulator;
let registry: BreakerRegistry;
let breakerSeq = 0;

function client(overrides: Partial<SourceClientOptions> = {}): SourceClient {
  breakerSeq++;
  return createSourceClient({
    guard: simulatorGuard,
    source: 'github',
    baseUrl: sim.url,
    authorization: sim.githubAuth,
    governor: createGovernor({ name: `github:${breakerSeq}` }),
    breaker: registry.get(`github:${breakerSeq}`),
    retry: { retries: 1, baseMs: 10, capMs: 20 },
    ...overrides,
  });
}

const stats = (): Promise<StatsSnapshot> => sim.control<StatsSnapshot>('GET', '/_sim/stats');
const userRequests = async (): Promise<number> => (await stats()).requests['GET /user']?.total ?? 0;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, jira: { projects: 1, issues: 5 }, github: { repos: 1, prs: 3 } });
  registry = createBreakerRegistry();
});

afterEach(async () => {
  await sim.control('DELETE', '/_sim/faults');
  await sim.control('DELETE', '/_sim/stats');
});

afterAll(async () => {
  registry.shutdown();
  await sim.close();
});

describe('source client against the simulator', () => {
  it('answers status, lower-cased headers, parsed body and url', async () => {
    const res = await client().get('/user');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ login: anyOf(String) });
    expect(res.url).toBe(`${sim.url}/user`);
    expect(res.headers['x-ratelimit-remaining']).toMatch(/^\d+$/);
    expect(metadataFor(res)).toMatchObject({
      url: `${sim.url}/user`,
      fetched_at: res.fetchedAt,
      'x-ratelimit-remaining': res.headers['x-ratelimit-remaining'],
      etag: res.headers.etag,
    });
  });

  it('a 401 is CredentialsRejectedError naming the source, never retried', async () => {
    const bad = client({ authorization: 'Bearer wrong' });
    const err = await bad.get('/user').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsRejectedError);
    expect((err as Error).message).toBe('credentials rejected by github');
    expect(await userRequests()).toBe(1);
  });

  it('a 404 is an HttpError, not retried', async () => {
    const err = await client()
      .get('/repos/nobody/nothing')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(404);
    expect((await stats()).total_requests).toBe(1);
  });

  it('retries a 503 storm and succeeds, calling beforeRequest before every attempt', async () => {
    await sim.control('POST', '/_sim/faults', { path: '/user', kind: 'status', status: 503, count: 2 });
    let checks = 0;
    const c = client({
      retry: { retries: 3, baseMs: 10, capMs: 20 },
      beforeRequest: async () => {
        checks++;
      },
    });
    const res = await c.get('/user');
    expect(res.status).toBe(200);
    expect(checks).toBe(3);
    expect(await userRequests()).toBe(3);
  });

  it('gives up with UpstreamUnavailableError when retries run out', async () => {
    await sim.control('POST', '/_sim/faults', { path: '/user', kind: 'status', status: 502, count: 5 });
    await expect(client().get('/user')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(await userRequests()).toBe(2);
  });

  it('honours Retry-After on a 429', async () => {
    await sim.control('POST', '/_sim/faults', {
      path: '/user',
      kind: 'status',
      status: 429,
      retry_after: 1,
      count: 1,
    });
    // The wait the retry loop asks for is what is asserted (no clock): 1 s, not the 10–20 ms backoff.
    const waits: number[] = [];
    const res = await client({
      retry: { retries: 1, baseMs: 10, capMs: 20, sleep: async (ms) => void waits.push(ms) },
    }).get('/user');
    expect(res.status).toBe(200);
    expect(waits).toEqual([1000]);
    expect(await userRequests()).toBe(2);
  });

  it('retries a truncated or malformed body', async () => {
    await sim.control('POST', '/_sim/faults', [
      { path: '/user', kind: 'truncated', count: 1 },
      { path: '/rate_limit', kind: 'malformed', count: 1 },
    ]);
    const c = client();
    expect((await c.get('/user')).status).toBe(200);
    expect((await c.get('/rate_limit')).status).toBe(200);
    expect((await stats()).total_requests).toBe(4);
  });

  it('If-None-Match: a 304 answers with a null body', async () => {
    const c = client();
    const first = await c.get('/user');
    const etag = first.headers.etag ?? '';
    expect(etag).not.toBe('');
    const again = await c.get('/user', { headers: { 'If-None-Match': etag } });
    expect(again).toMatchObject({ status: 304, body: null });
  });

  it('beforeRequest throwing propagates untouched and sends nothing', async () => {
    const stop = new Error('cancelled');
    const c = client({
      beforeRequest: async () => {
        throw stop;
      },
    });
    await expect(c.get('/user')).rejects.toBe(stop);
    expect((await stats()).total_requests).toBe(0);
  });

  it('beforeRequest throwing between retries stops the loop without touching the breaker', async () => {
    await sim.control('POST', '/_sim/faults', { path: '/user', kind: 'status', status: 503 });
    const stop = new Error('paused');
    let checks = 0;
    const c = client({
      retry: { retries: 4, baseMs: 10, capMs: 20 },
      beforeRequest: async () => {
        checks++;
        if (checks === 2) throw stop;
      },
    });
    await expect(c.get('/user')).rejects.toBe(stop);
    expect(await userRequests()).toBe(1);
    expect(registry.get(c.name).status().failures).toBe(1);
  });

  it('opens the breaker after 5 consecutive failures, then fails fast', async () => {
    await sim.control('POST', '/_sim/faults', { path: '/user', kind: 'status', status: 503 });
    const c = client();
    // Two attempts per call: 2 + 2 failures, then the fifth opens the breaker mid-call.
    await expect(c.get('/user')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await expect(c.get('/user')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await expect(c.get('/user')).rejects.toBeInstanceOf(BreakerOpenError);
    expect(registry.get(c.name).state).toBe('OPEN');
    expect(await userRequests()).toBe(5);
    await expect(c.get('/user')).rejects.toBeInstanceOf(BreakerOpenError);
    expect(await userRequests()).toBe(5);
  });

  it('times out a hanging attempt and retries it', async () => {
    await sim.control('POST', '/_sim/faults', { path: '/user', kind: 'hang', count: 1 });
    const res = await client({ attemptTimeoutMs: 200 }).get('/user');
    expect(res.status).toBe(200);
  });

  it('POSTs JSON with a query', async () => {
    const jira = createSourceClient({
      guard: simulatorGuard,
      source: 'jira',
      baseUrl: sim.url,
      authorization: sim.jiraAuth,
      breaker: registry.get('jira:post'),
      retry: { retries: 0 },
    });
    const res = await jira.post('/rest/api/3/search/jql', {
      jql:
        'project in ("' +
        (
          await sim.control<{ jira: { projects: string[] } }>('GET', '/_sim/truth/summary')
        ).jira.projects.join('", "') +
        '")',
      maxResults: 2,
    });
    expect(res.body).toMatchObject({ issues: [{}, {}] });
  });
});

describe('url helpers', () => {
  it('joins paths under a base path', () => {
    expect(resolveUrl('https://ghe.example.com/api/v3', '/repos/a/b')).toBe(
      'https://ghe.example.com/api/v3/repos/a/b',
    );
    expect(resolveUrl('https://ghe.example.com/api/v3/', 'repos/a/b')).toBe(
      'https://ghe.example.com/api/v3/repos/a/b',
    );
    expect(resolveUrl('https://x.atlassian.net', '/rest/api/3/myself')).toBe(
      'https://x.atlassian.net/rest/api/3/myself',
    );
  });

  it('follows absolute URLs on the same origin only', () => {
    expect(resolveUrl('https://ghe.example.com/api/v3', 'https://ghe.example.com/api/v3/x?page=2')).toBe(
      'https://ghe.example.com/api/v3/x?page=2',
    );
    expect(() => resolveUrl('https://ghe.example.com/api/v3', 'https://evil.example.com/x')).toThrow(/evil/);
  });

  it('encodes queries, arrays as repeated parameters', () => {
    expect(withQuery('https://h/p', { a: 1, b: ['x', 'y'], c: undefined, d: 'a b' })).toBe(
      'https://h/p?a=1&b=x&b=y&d=a+b',
    );
  });

  it('reads the next link', () => {
    const link =
      '<https://api.github.com/repos/a/b/pulls?page=3>; rel="next", <https://api.github.com/repos/a/b/pulls?page=5>; rel="last"';
    expect(nextLink(link)).toBe('https://api.github.com/repos/a/b/pulls?page=3');
    expect(nextLink('<https://api.github.com/x?page=1>; rel="prev"')).toBeNull();
    expect(nextLink(undefined)).toBeNull();
  });
});
