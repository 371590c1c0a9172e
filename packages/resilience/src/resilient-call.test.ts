import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBreakerRegistry } from './breakers.ts';
import type { BreakerRegistry } from './breakers.ts';
import {
  BreakerOpenError,
  CredentialsRejectedError,
  httpErrorFrom,
  UpstreamUnavailableError,
} from './errors.ts';
import { createGovernor } from './governor.ts';
import { resilientCall } from './resilient-call.ts';

const T0 = new Date('2025-06-01T12:00:00Z').getTime();
const http = (status: number, headers: Record<string, string> = {}): Error =>
  httpErrorFrom({ status, url: 'https://api.github.com/x', headers, source: 'github:3' });

describe('resilientCall (governor → retry → breaker)', () => {
  let registry: BreakerRegistry;
  const sleeps: number[] = [];
  const retry = {
    random: () => 0.5,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      await vi.advanceTimersByTimeAsync(ms);
    },
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    sleeps.length = 0;
    registry = createBreakerRegistry({ defaults: { failureThreshold: 3, openMs: 60_000 } });
  });
  afterEach(() => {
    registry.shutdown();
    vi.useRealTimers();
  });

  it('returns the result and names errors after the breaker', async () => {
    const breaker = registry.get('github:3');
    await expect(resilientCall({ breaker, governor: createGovernor(), retry }, async () => 42)).resolves.toBe(
      42,
    );
  });

  it('retries transient failures through the breaker; a success resets its count', async () => {
    const breaker = registry.get('github:3');
    let calls = 0;
    const result = await resilientCall({ breaker, retry }, async ({ attempt }) => {
      calls++;
      if (attempt <= 2) throw http(503);
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([500, 1000]);
    expect(breaker.status()).toMatchObject({ state: 'CLOSED', failures: 0 });
  });

  it('surfaces BreakerOpenError as soon as the breaker opens, without spinning', async () => {
    const breaker = registry.get('github:3');
    const fn = vi.fn(() => Promise.reject(http(503)));
    const err = await resilientCall({ breaker, retry }, fn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BreakerOpenError);
    expect((err as BreakerOpenError).retryAt.getTime()).toBeGreaterThan(T0);
    // Three attempts opened it; the fourth was refused by the breaker without a call.
    expect(fn).toHaveBeenCalledTimes(3);
    expect(sleeps).toHaveLength(3);
  });

  it('an already open breaker fails at once: no call, no sleep', async () => {
    const breaker = registry.get('github:3', { failureThreshold: 1 });
    await breaker.execute(() => Promise.reject(http(500))).catch(() => undefined);
    const fn = vi.fn(async () => 'x');
    await expect(resilientCall({ breaker, retry }, fn)).rejects.toBeInstanceOf(BreakerOpenError);
    expect(fn).not.toHaveBeenCalled();
    expect(sleeps).toEqual([]);
  });

  it('a 401 fails once with CredentialsRejectedError and does not trip the breaker', async () => {
    const breaker = registry.get('jira:7');
    const fn = vi.fn(() =>
      Promise.reject(httpErrorFrom({ status: 401, url: 'https://x.atlassian.net/rest/api/3/myself' })),
    );
    const err = await resilientCall({ breaker, retry }, fn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsRejectedError);
    expect((err as Error).message).toBe('credentials rejected by jira:7');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(breaker.status().failures).toBe(0);
  });

  it('gives up with UpstreamUnavailableError when retries run out before the breaker opens', async () => {
    const breaker = registry.get('backend', { failureThreshold: 10 });
    const err = await resilientCall({ breaker, retry: { ...retry, retries: 2 } }, () =>
      Promise.reject(http(502)),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ attempts: 3, source: 'backend' });
  });

  it('feeds rate-limit headers from HTTP errors to the governor', async () => {
    const breaker = registry.get('github:3');
    const governor = createGovernor();
    const reset = String(Math.floor((T0 + 30_000) / 1000));
    let calls = 0;
    await resilientCall({ breaker, governor, retry }, async () => {
      calls++;
      if (calls === 1)
        throw http(403, {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': reset,
        });
      return 'ok';
    });
    // The retry waited for the reset, as the server asked.
    expect(sleeps).toEqual([30_000]);
    expect(governor.state().limit).toBe(5000);
  });

  it('holds the governor slot for the whole retry loop', async () => {
    const breaker = registry.get('github:3');
    const governor = createGovernor({ concurrency: 1 });
    const order: string[] = [];
    const first = resilientCall({ breaker, governor, retry: { random: () => 0.5 } }, async ({ attempt }) => {
      order.push(`first#${attempt}`);
      if (attempt === 1) throw http(503);
      return 'first';
    });
    const second = resilientCall({ breaker, governor, retry }, async () => {
      order.push('second');
      return 'second';
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['first#1']);
    expect(governor.state()).toMatchObject({ inFlight: 1, queued: 1 });
    await vi.advanceTimersByTimeAsync(500);
    await expect(first).resolves.toBe('first');
    await expect(second).resolves.toBe('second');
    expect(order).toEqual(['first#1', 'first#2', 'second']);
  });
});
