import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BreakerOpenError,
  CredentialsRejectedError,
  HttpError,
  httpErrorFrom,
  isRetryable,
  MalformedResponseError,
  RateLimitedError,
  resumeAt,
  UpstreamUnavailableError,
} from './errors.ts';
import { backoffDelay, retry } from './retry.ts';
import type { RetryOptions } from './retry.ts';

const T0 = new Date('2025-06-01T12:00:00Z').getTime();
const URL_ = 'https://api.github.com/repos/o/r/pulls';

/** Small deterministic PRNG (mulberry32) so jitter tests are reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const http = (status: number, headers: Record<string, string> = {}): HttpError =>
  httpErrorFrom({ status, url: URL_, headers, body: '{"message":"x"}', source: 'github:3' });

/** Fails with each error in turn, then succeeds. */
function failing(...errors: Error[]): { fn: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    fn: () => {
      const err = errors[calls++];
      return err === undefined ? Promise.resolve('done') : Promise.reject(err);
    },
    calls: () => calls,
  };
}

/** Options that record delays instead of sleeping. */
function recording(extra: RetryOptions = {}): { options: RetryOptions; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    options: {
      source: 'github:3',
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
        vi.advanceTimersByTime(ms);
      },
      ...extra,
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay (full jitter)', () => {
  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [3, 8000],
    [4, 16_000],
    [5, 30_000],
    [10, 30_000],
  ])('retry %i stays within [0, %i] (min(cap, base·2^n))', (n, ceiling) => {
    const random = seeded(42 + n);
    for (let i = 0; i < 500; i++) {
      const d = backoffDelay(n, { random });
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(ceiling);
    }
    expect(backoffDelay(n, { random: () => 0 })).toBe(0);
    expect(backoffDelay(n, { random: () => 0.999999 })).toBe(Math.floor(0.999999 * ceiling));
  });

  it('honours base, factor and cap', () => {
    const max = { random: () => 0.9999999 };
    expect(backoffDelay(2, { ...max, baseMs: 100, factor: 3 })).toBe(899);
    expect(backoffDelay(3, { ...max, baseMs: 100, factor: 3, capMs: 500 })).toBe(499);
  });
});

describe('retry', () => {
  it('returns the first success and passes the attempt number', async () => {
    const seen: number[] = [];
    const { options } = recording();
    await expect(
      retry(async ({ attempt }) => {
        seen.push(attempt);
        if (attempt < 3) throw http(502);
        return 'ok';
      }, options),
    ).resolves.toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('waits full-jitter delays computed from the retry index, reported through onRetry', async () => {
    const onRetry = vi.fn();
    const { options, delays } = recording({ random: () => 0.5, onRetry });
    const f = failing(
      http(500),
      http(503),
      Object.assign(new Error('socket'), { code: 'ECONNRESET' }),
      http(504),
    );
    await expect(retry(f.fn, options)).resolves.toBe('done');
    expect(delays).toEqual([500, 1000, 2000, 4000]);
    expect(onRetry.mock.calls.map(([attempt, delay]: unknown[]) => [attempt, delay])).toEqual([
      [1, 500],
      [2, 1000],
      [3, 2000],
      [4, 4000],
    ]);
  });

  it('caps computed delays', async () => {
    const { options, delays } = recording({ random: () => 0.9999, retries: 6, capMs: 3000 });
    const f = failing(...Array.from({ length: 6 }, () => http(503)));
    await retry(f.fn, options);
    expect(delays).toEqual([999, 1999, 2999, 2999, 2999, 2999]);
  });

  it('Retry-After in seconds wins over the computed delay', async () => {
    const { options, delays } = recording();
    await retry(failing(http(429, { 'Retry-After': '7' })).fn, options);
    expect(delays).toEqual([7000]);
  });

  it('Retry-After as an HTTP date wins over the computed delay', async () => {
    const { options, delays } = recording();
    const at = new Date(T0 + 20_000).toUTCString();
    await retry(failing(http(503, { 'retry-after': at })).fn, options);
    expect(delays).toEqual([20_000]);
  });

  it('GitHub x-ratelimit-reset (epoch seconds) wins when remaining is 0, on a 403', async () => {
    const { options, delays } = recording();
    const err = http(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(T0 / 1000 + 90) });
    expect(err).toBeInstanceOf(RateLimitedError);
    await retry(failing(err).fn, options);
    expect(delays).toEqual([90_000]);
  });

  it('x-ratelimit-reset does not count while quota remains', async () => {
    const { options, delays } = recording();
    await retry(
      failing(http(502, { 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': String(T0 / 1000 + 90) })).fn,
      options,
    );
    expect(delays).toEqual([500]);
  });

  it("Jira's ISO X-RateLimit-Reset on a 429 sets the wait", async () => {
    const { options, delays } = recording();
    await retry(failing(http(429, { 'X-RateLimit-Reset': new Date(T0 + 45_000).toISOString() })).fn, options);
    expect(delays).toEqual([45_000]);
  });

  it("Jira's Beta-Retry-After counts when Retry-After is absent", async () => {
    const { options, delays } = recording();
    await retry(failing(http(429, { 'Beta-Retry-After': '12' })).fn, options);
    expect(delays).toEqual([12_000]);
  });

  it('gives up when the server asks for more than maxServerWaitMs, with retryAt for the caller', async () => {
    const onGiveUp = vi.fn();
    const { options, delays } = recording({ maxServerWaitMs: 15 * 60_000, onGiveUp });
    const f = failing(http(429, { 'retry-after': '3600' }));
    const err = await retry(f.fn, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({
      reason: 'wait-exceeds-max',
      attempts: 1,
      retryAt: new Date(T0 + 3_600_000),
      source: 'github:3',
    });
    expect((err as Error).cause).toBeInstanceOf(RateLimitedError);
    expect(f.calls()).toBe(1);
    expect(delays).toEqual([]);
    expect(onGiveUp).toHaveBeenCalledWith(1, expect.any(RateLimitedError), 'wait-exceeds-max');
  });

  it.each([400, 403, 404, 409, 410, 422])('does not retry HTTP %i', async (status) => {
    const { options, delays } = recording();
    const err = http(status);
    const f = failing(err, err);
    await expect(retry(f.fn, options)).rejects.toBe(err);
    expect(f.calls()).toBe(1);
    expect(delays).toEqual([]);
  });

  it('turns a 401 into CredentialsRejectedError naming the source, after one attempt', async () => {
    const { options } = recording({ source: 'jira:7' });
    const plain = new HttpError({ status: 401, url: 'https://x.atlassian.net/rest/api/3/myself' });
    const f = failing(plain, plain);
    const err = await retry(f.fn, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsRejectedError);
    expect((err as Error).message).toBe('credentials rejected by jira:7');
    expect(err).toMatchObject({ status: 401, code: 'CREDENTIALS_REJECTED' });
    expect(f.calls()).toBe(1);
  });

  it('surfaces the last error with the attempt count when retries run out', async () => {
    const onGiveUp = vi.fn();
    const { options, delays } = recording({ onGiveUp });
    const errors = [http(500), http(502), http(503), http(504), http(503)];
    const f = failing(...errors, http(500));
    const err = await retry(f.fn, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ reason: 'retries-exhausted', attempts: 5 });
    expect((err as Error).cause).toBe(errors[4]);
    expect((err as Error).message).toMatch(/^github:3 unavailable after 5 attempts: /);
    expect(f.calls()).toBe(5);
    expect(delays).toHaveLength(4);
    expect(onGiveUp).toHaveBeenCalledWith(5, errors[4], 'retries-exhausted');
  });

  it('retries: 0 means a single attempt', async () => {
    const { options } = recording({ retries: 0 });
    const f = failing(http(503));
    await expect(retry(f.fn, options)).rejects.toMatchObject({ attempts: 1 });
    expect(f.calls()).toBe(1);
  });

  it('does not retry an open breaker', async () => {
    const { options } = recording();
    const open = new BreakerOpenError('jira:7', new Date(T0 + 60_000));
    const f = failing(open, open);
    await expect(retry(f.fn, options)).rejects.toBe(open);
    expect(f.calls()).toBe(1);
  });

  it('an abort signal stops the backoff wait at once', async () => {
    const controller = new AbortController();
    const f = failing(http(503), http(503));
    const run = retry(f.fn, { random: () => 0.9, signal: controller.signal });
    const settled = run.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(f.calls()).toBe(1);
    controller.abort();
    const err = await settled;
    expect(err).toMatchObject({ name: 'AbortError' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.calls()).toBe(1);
  });

  it('an already-aborted signal makes no attempt', async () => {
    const f = failing();
    await expect(retry(f.fn, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(f.calls()).toBe(0);
  });

  it('a per-attempt timeout aborts the attempt and retries it', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const { options } = recording({ attemptTimeoutMs: 1000 });
    const run = retry(({ attempt, signal }) => {
      signals.push(signal);
      return attempt === 1 ? new Promise<string>(() => undefined) : Promise.resolve('second');
    }, options);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(run).resolves.toBe('second');
    expect(signals[0]?.aborted).toBe(true);
    expect((signals[0]?.reason as Error).name).toBe('TimeoutError');
    expect(signals[1]?.aborted).toBe(false);
  });
});

describe('isRetryable', () => {
  const withCode = (code: string): Error => Object.assign(new Error(code), { code });

  it.each([
    ['429', http(429), true],
    ['500', http(500), true],
    ['502', http(502), true],
    ['503', http(503), true],
    ['504', http(504), true],
    ['400', http(400), false],
    ['401', http(401), false],
    ['plain 403', http(403), false],
    ['403 with x-ratelimit-remaining: 0', http(403, { 'x-ratelimit-remaining': '0' }), true],
    ['403 with retry-after (secondary limit)', http(403, { 'retry-after': '60' }), true],
    ['404', http(404), false],
    ['422', http(422), false],
    ['501', http(501), false],
    ['ECONNRESET', withCode('ECONNRESET'), true],
    ['ECONNREFUSED', withCode('ECONNREFUSED'), true],
    ['EPIPE', withCode('EPIPE'), true],
    ['ETIMEDOUT', withCode('ETIMEDOUT'), true],
    ['UND_ERR_SOCKET', withCode('UND_ERR_SOCKET'), true],
    ['ENOTFOUND', withCode('ENOTFOUND'), false],
    [
      'fetch failed caused by ECONNRESET',
      new TypeError('fetch failed', { cause: withCode('ECONNRESET') }),
      true,
    ],
    [
      'fetch failed caused by a bad URL',
      new TypeError('fetch failed', { cause: new Error('invalid url') }),
      false,
    ],
    ['body "terminated"', new TypeError('terminated', { cause: withCode('UND_ERR_SOCKET') }), true],
    ['AbortError (per-attempt timeout)', new DOMException('aborted', 'AbortError'), true],
    ['TimeoutError', new DOMException('timeout', 'TimeoutError'), true],
    ['truncated JSON (SyntaxError)', new SyntaxError('Unexpected end of JSON input'), true],
    ['MalformedResponseError', new MalformedResponseError(URL_, new SyntaxError('bad')), true],
    ['BreakerOpenError', new BreakerOpenError('x', new Date()), false],
    [
      'UpstreamUnavailableError',
      new UpstreamUnavailableError({
        source: 'x',
        attempts: 5,
        reason: 'retries-exhausted',
        cause: http(503),
      }),
      false,
    ],
    ['a plain Error', new Error('bug'), false],
    ['a string', 'nope', false],
  ])('%s → %s', (_label, err, expected) => {
    expect(isRetryable(err)).toBe(expected);
  });
});

describe('httpErrorFrom', () => {
  it('maps statuses to error classes and keeps the details', () => {
    const e401 = http(401);
    expect(e401).toBeInstanceOf(CredentialsRejectedError);
    expect(e401.message).toBe('credentials rejected by github:3');
    expect(http(429)).toBeInstanceOf(RateLimitedError);
    expect(http(403)).not.toBeInstanceOf(RateLimitedError);
    const e = httpErrorFrom({
      status: 500,
      url: URL_,
      headers: new Headers({ 'X-Request-Id': 'abc' }),
      body: 'x'.repeat(2000),
    });
    expect(e).toMatchObject({ status: 500, url: URL_, headers: { 'x-request-id': 'abc' } });
    expect(e.bodySnippet).toHaveLength(500);
  });

  it('RateLimitedError knows when to retry', () => {
    const err = http(429, { 'retry-after': '30' });
    const bare = http(429);
    assert(err instanceof RateLimitedError && bare instanceof RateLimitedError);
    expect(err.retryAt).toEqual(new Date(T0 + 30_000));
    expect(bare.retryAt).toBeNull();
  });
});

describe('resumeAt', () => {
  it('tells a paused run when to resume, or null to fail it', () => {
    const at = new Date(T0 + 60_000);
    expect(resumeAt(new BreakerOpenError('jira:7', at))).toEqual(at);
    expect(
      resumeAt(
        new UpstreamUnavailableError({
          source: 'x',
          attempts: 1,
          reason: 'wait-exceeds-max',
          cause: null,
          retryAt: at,
        }),
      ),
    ).toEqual(at);
    expect(resumeAt(http(429, { 'retry-after': '60' }))).toEqual(at);
    expect(
      resumeAt(
        new UpstreamUnavailableError({ source: 'x', attempts: 5, reason: 'retries-exhausted', cause: null }),
      ),
    ).toBeNull();
    expect(resumeAt(http(404))).toBeNull();
  });
});
