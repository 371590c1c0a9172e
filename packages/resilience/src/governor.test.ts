import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGovernor } from './governor.ts';
import type { RateLimitGovernor } from './governor.ts';

const T0 = new Date('2025-06-01T12:00:00Z').getTime();
const epochSeconds = (ms: number): string => String(Math.floor(ms / 1000));

/** GitHub's rate-limit headers: `remaining` of a 5000 budget left until `T0 + resetInMs`. */
const githubQuota = (remaining: number, resetInMs: number): Record<string, string> => ({
  'x-ratelimit-limit': '5000',
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-reset': epochSeconds(T0 + resetInMs),
});

/** Schedules n tasks that record their start time and resolve at once. */
function startTimes(governor: RateLimitGovernor, n: number): { starts: number[]; done: Promise<unknown[]> } {
  const starts: number[] = [];
  const done = Promise.all(
    Array.from({ length: n }, () =>
      governor.schedule(async () => {
        starts.push(Date.now() - T0);
      }),
    ),
  );
  return { starts, done };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('rate-limit governor', () => {
  it('holds the concurrency cap', async () => {
    const governor = createGovernor({ concurrency: 4 });
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const all = Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        governor.schedule(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise<void>((resolve) => releases.push(resolve));
          running--;
          return i;
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(running).toBe(4);
    expect(governor.state()).toMatchObject({ inFlight: 4, queued: 6, concurrency: 4 });
    while (releases.length > 0) {
      releases.shift()?.();
      await vi.advanceTimersByTimeAsync(0);
    }
    await expect(all).resolves.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(4);
    expect(governor.state()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('defaults to 4 at once', async () => {
    const governor = createGovernor();
    for (let i = 0; i < 6; i++) void governor.schedule(() => new Promise<void>(() => undefined));
    await vi.advanceTimersByTimeAsync(0);
    expect(governor.state()).toMatchObject({ inFlight: 4, queued: 2 });
  });

  it('does not wait at all with no rate-limit headers', async () => {
    const governor = createGovernor({ concurrency: 2 });
    governor.observe({ 'content-type': 'application/json' });
    const { starts, done } = startTimes(governor, 20);
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(starts).toEqual(Array.from({ length: 20 }, () => 0));
  });

  it('does not wait while plenty of quota remains', async () => {
    const governor = createGovernor();
    governor.observe(githubQuota(4000, 3_600_000));
    const { starts, done } = startTimes(governor, 10);
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(starts.every((s) => s === 0)).toBe(true);
  });

  it('spreads the remaining quota until the reset when it runs low', async () => {
    const governor = createGovernor({ concurrency: 4, reserveFraction: 0.2 });
    // 10 left of 5000, resetting in 100 s: one request every ~100/remaining seconds.
    governor.observe(githubQuota(10, 100_000));
    const { starts, done } = startTimes(governor, 4);
    await vi.advanceTimersByTimeAsync(100_000);
    await done;
    expect(starts).toHaveLength(4);
    expect(starts[0]).toBe(0);
    const gaps = starts.slice(1).map((s, i) => s - (starts[i] ?? 0));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(11_000);
      expect(gap).toBeLessThanOrEqual(11_200);
    }
  });

  it('waits until the reset when nothing remains, then runs freely', async () => {
    const governor = createGovernor();
    governor.observe({
      'X-RateLimit-Limit': '60',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': epochSeconds(T0 + 30_000),
    });
    expect(governor.state()).toMatchObject({
      limit: 60,
      remaining: 0,
      resetAt: new Date(T0 + 30_000),
      nextWaitMs: 30_000,
    });
    const { starts, done } = startTimes(governor, 3);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(starts).toEqual([30_000, 30_000, 30_000]);
    expect(governor.state()).toMatchObject({ remaining: null, resetAt: null, nextWaitMs: 0 });
  });

  it('keeps one budget per resource: GraphQL points running out holds back GraphQL only, not REST', async () => {
    const governor = createGovernor();
    // GitHub names the budget an answer counts against; REST answers say `core`.
    governor.observe({ 'x-ratelimit-resource': 'graphql', ...githubQuota(0, 30_000) });
    governor.observe({ 'x-ratelimit-resource': 'core', ...githubQuota(4000, 3_600_000) });
    const starts: Record<string, number[]> = { graphql: [], core: [] };
    const graphql = governor.schedule(
      async () => void starts.graphql!.push(Date.now() - T0),
      undefined,
      'graphql',
    );
    const rest = governor.schedule(async () => void starts.core!.push(Date.now() - T0), undefined, 'core');
    await vi.advanceTimersByTimeAsync(0);
    await rest;
    expect(starts).toEqual({ graphql: [], core: [0] });
    expect(governor.state('graphql')).toMatchObject({
      resource: 'graphql',
      remaining: 0,
      nextWaitMs: 30_000,
    });
    expect(governor.state()).toMatchObject({ resource: 'core', remaining: 3999, nextWaitMs: 0 });
    expect(governor.state().budgets).toEqual({
      graphql: { limit: 5000, remaining: 0, resetAt: new Date(T0 + 30_000) },
      core: { limit: 5000, remaining: 3999, resetAt: new Date(T0 + 3_600_000) },
    });
    await vi.advanceTimersByTimeAsync(30_000);
    await graphql;
    expect(starts.graphql).toEqual([30_000]);
  });

  it('files an answer without x-ratelimit-resource under the resource the caller names (GraphQL rateLimit object), else core', () => {
    const governor = createGovernor();
    governor.observe(
      { 'x-ratelimit-remaining': '4990', 'x-ratelimit-reset': epochSeconds(T0 + 60_000) },
      'graphql',
    );
    governor.observe({ 'x-ratelimit-remaining': '59', 'x-ratelimit-reset': epochSeconds(T0 + 60_000) });
    expect(governor.state('graphql').remaining).toBe(4990);
    expect(governor.state().remaining).toBe(59);
  });

  it("honours Jira's ISO reset and Retry-After", async () => {
    const governor = createGovernor();
    governor.observe(
      new Headers({ 'Retry-After': '20', 'X-RateLimit-Reset': new Date(T0 + 20_000).toISOString() }),
    );
    expect(governor.state().blockedUntil).toEqual(new Date(T0 + 20_000));
    const { starts, done } = startTimes(governor, 2);
    await vi.advanceTimersByTimeAsync(20_000);
    await done;
    expect(starts).toEqual([20_000, 20_000]);
  });

  it("honours Jira's Beta-Retry-After", async () => {
    const governor = createGovernor();
    governor.observe({ 'Beta-Retry-After': '5' });
    const { starts, done } = startTimes(governor, 1);
    await vi.advanceTimersByTimeAsync(5000);
    await done;
    expect(starts).toEqual([5000]);
  });

  it('caps the wait for a far reset at maxResetWaitMs', async () => {
    const governor = createGovernor({ maxResetWaitMs: 15 * 60_000 });
    governor.observe(githubQuota(0, 3_600_000));
    const { starts, done } = startTimes(governor, 1);
    await vi.advanceTimersByTimeAsync(15 * 60_000);
    await done;
    expect(starts).toEqual([15 * 60_000]);
  });

  it('caps each spacing wait at maxWaitMs', async () => {
    const governor = createGovernor({ maxWaitMs: 60_000 });
    // 2 left for an hour would mean 30 min apart; the cap keeps it to 60 s.
    governor.observe(githubQuota(3, 3_600_000));
    const { starts, done } = startTimes(governor, 2);
    await vi.advanceTimersByTimeAsync(60_000);
    await done;
    expect(starts).toEqual([0, 60_000]);
  });

  it('keeps the lowest remaining from out-of-order answers in the same window', () => {
    const governor = createGovernor();
    const reset = epochSeconds(T0 + 60_000);
    governor.observe({ 'x-ratelimit-remaining': '40', 'x-ratelimit-reset': reset });
    governor.observe({ 'x-ratelimit-remaining': '42', 'x-ratelimit-reset': reset });
    expect(governor.state().remaining).toBe(40);
    governor.observe({ 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': epochSeconds(T0 + 3_660_000) });
    expect(governor.state().remaining).toBe(4999);
  });

  it('rejects a queued request whose signal aborts, without running it', async () => {
    const governor = createGovernor();
    governor.observe({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epochSeconds(T0 + 30_000) });
    const controller = new AbortController();
    const fn = vi.fn(async () => 'ran');
    const run = governor.schedule(fn, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(run).rejects.toThrow('cancelled');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fn).not.toHaveBeenCalled();
    expect(governor.state().queued).toBe(0);
  });

  it('passes errors through and frees the slot', async () => {
    const governor = createGovernor({ concurrency: 1 });
    await expect(governor.schedule(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      governor.schedule(() => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    await expect(governor.schedule(async () => 'next')).resolves.toBe('next');
  });

  it('close() rejects what is queued', async () => {
    const governor = createGovernor({ concurrency: 1 });
    void governor.schedule(() => new Promise<void>(() => undefined));
    const queued = governor.schedule(async () => 'never');
    governor.close();
    await expect(queued).rejects.toThrow(/closed/);
  });

  it('validates its options', () => {
    expect(() => createGovernor({ concurrency: 0 })).toThrow(/concurrency/);
    expect(() => createGovernor({ reserveFraction: 2 })).toThrow(/reserveFraction/);
  });
});
