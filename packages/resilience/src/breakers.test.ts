import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBreakerRegistry, defaultIsFailure, type BreakerRegistry } from './breakers.ts';
import type { BreakerState } from './breakers.ts';
import { BreakerOpenError, HttpError } from './errors.ts';

const T0 = new Date('2025-06-01T12:00:00Z').getTime();

const http = (status: number): HttpError =>
  new HttpError({ status, url: 'https://example.atlassian.net/rest/api/3/x', source: 'jira:7' });
const ok = (): Promise<string> => Promise.resolve('ok');
const fail503 = (): Promise<never> => Promise.reject(http(503));

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('breaker registry', () => {
  let registry: BreakerRegistry;
  let changes: [string, BreakerState, BreakerState][];
  const logger = { info: vi.fn(), warn: vi.fn() };

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    changes = [];
    logger.info.mockReset();
    logger.warn.mockReset();
    registry = createBreakerRegistry({
      defaults: { failureThreshold: 5, openMs: 60_000, halfOpenMaxCalls: 3, successesToClose: 3 },
      logger,
      onStateChange: (name, from, to) => changes.push([name, from, to]),
    });
  });

  afterEach(() => {
    registry.shutdown();
    vi.useRealTimers();
  });

  async function failTimes(name: string, n: number): Promise<void> {
    const b = registry.get(name);
    for (let i = 0; i < n; i++) await expect(b.execute(fail503)).rejects.toBeInstanceOf(HttpError);
  }

  it('creates one breaker per name on first use and returns the same one after', () => {
    const a = registry.get('jira:7');
    expect(registry.get('jira:7')).toBe(a);
    expect(registry.get('github:3')).not.toBe(a);
    expect(registry.status().map((s) => s.name)).toEqual(['github:3', 'jira:7']);
  });

  it('passes results and errors through while CLOSED', async () => {
    const b = registry.get('backend');
    await expect(b.execute(ok)).resolves.toBe('ok');
    await expect(b.execute(fail503)).rejects.toMatchObject({ status: 503 });
    expect(b.state).toBe('CLOSED');
  });

  it('opens after exactly THRESHOLD consecutive failures', async () => {
    await failTimes('jira:7', 4);
    expect(registry.get('jira:7').state).toBe('CLOSED');
    expect(registry.status()[0]?.failures).toBe(4);
    await failTimes('jira:7', 1);
    expect(registry.get('jira:7').state).toBe('OPEN');
    expect(changes).toEqual([['jira:7', 'CLOSED', 'OPEN']]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ breaker: 'jira:7', from: 'CLOSED', to: 'OPEN' }),
      expect.stringContaining('opened'),
    );
  });

  it('counts consecutive failures only: a success in between resets the count', async () => {
    await failTimes('jira:7', 4);
    await registry.get('jira:7').execute(ok);
    await failTimes('jira:7', 4);
    expect(registry.get('jira:7').state).toBe('CLOSED');
  });

  it('does not count errors that isFailure excludes (404, 400, 401, 429 by default)', async () => {
    const b = registry.get('github:3');
    for (const status of [404, 400, 401, 403, 422, 429, 404, 404]) {
      await expect(b.execute(() => Promise.reject(http(status)))).rejects.toMatchObject({ status });
    }
    expect(b.state).toBe('CLOSED');
    expect(b.status().failures).toBe(0);
  });

  it('uses a custom isFailure', async () => {
    const b = registry.get('postgres', {
      failureThreshold: 2,
      isFailure: (err) => err instanceof Error && err.message === 'down',
    });
    await expect(b.execute(() => Promise.reject(new Error('constraint')))).rejects.toThrow('constraint');
    await expect(b.execute(() => Promise.reject(new Error('constraint')))).rejects.toThrow('constraint');
    expect(b.state).toBe('CLOSED');
    await expect(b.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(b.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(b.state).toBe('OPEN');
  });

  it('rejects fast while OPEN with BreakerOpenError carrying the name and retryAt, without calling fn', async () => {
    await failTimes('jira:7', 5);
    vi.advanceTimersByTime(10_000);
    const fn = vi.fn(ok);
    const err = await registry
      .get('jira:7')
      .execute(fn)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BreakerOpenError);
    expect(err).toMatchObject({ breakerName: 'jira:7', code: 'BREAKER_OPEN' });
    expect((err as BreakerOpenError).retryAt.getTime()).toBe(T0 + 60_000);
    expect(fn).not.toHaveBeenCalled();
    expect(registry.status()[0]?.rejections).toBe(1);
  });

  it('goes OPEN → HALF_OPEN when the open period has elapsed, not before', async () => {
    await failTimes('jira:7', 5);
    vi.advanceTimersByTime(59_999);
    expect(registry.get('jira:7').state).toBe('OPEN');
    vi.advanceTimersByTime(1);
    expect(registry.get('jira:7').state).toBe('HALF_OPEN');
    expect(changes.at(-1)).toEqual(['jira:7', 'OPEN', 'HALF_OPEN']);
  });

  it('HALF_OPEN → CLOSED after 3 successful probes', async () => {
    await failTimes('jira:7', 5);
    vi.advanceTimersByTime(60_000);
    const b = registry.get('jira:7');
    await b.execute(ok);
    await b.execute(ok);
    expect(b.state).toBe('HALF_OPEN');
    expect(b.status().successes).toBe(2);
    await b.execute(ok);
    expect(b.state).toBe('CLOSED');
    expect(changes.map(([, , to]) => to)).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
    // Fully closed again: it takes a full THRESHOLD of failures to reopen.
    await failTimes('jira:7', 4);
    expect(b.state).toBe('CLOSED');
  });

  it('HALF_OPEN → OPEN on a failed probe, for another full open period', async () => {
    await failTimes('jira:7', 5);
    vi.advanceTimersByTime(60_000);
    const b = registry.get('jira:7');
    await b.execute(ok);
    await expect(b.execute(fail503)).rejects.toBeInstanceOf(HttpError);
    expect(b.state).toBe('OPEN');
    const reopenedAt = Date.now();
    await expect(b.execute(ok)).rejects.toMatchObject({ retryAt: new Date(reopenedAt + 60_000) });
    vi.advanceTimersByTime(59_999);
    expect(b.state).toBe('OPEN');
    vi.advanceTimersByTime(1);
    expect(b.state).toBe('HALF_OPEN');
  });

  it('a neutral error in HALF_OPEN neither closes nor reopens', async () => {
    await failTimes('jira:7', 5);
    vi.advanceTimersByTime(60_000);
    const b = registry.get('jira:7');
    await expect(b.execute(() => Promise.reject(http(404)))).rejects.toMatchObject({ status: 404 });
    expect(b.state).toBe('HALF_OPEN');
    expect(b.status().successes).toBe(0);
  });

  it('HALF_OPEN admits at most MAX_CALLS probes at once', async () => {
    await failTimes('jira:7', 5);
    vi.advanceTimersByTime(60_000);
    const b = registry.get('jira:7');
    const probes = [deferred<string>(), deferred<string>(), deferred<string>()];
    const running = probes.map((d) => b.execute(() => d.promise));
    expect(b.status().probesInFlight).toBe(3);
    const fourth = vi.fn(ok);
    await expect(b.execute(fourth)).rejects.toMatchObject({
      breakerName: 'jira:7',
      retryAt: new Date(Date.now() + 1000),
    });
    expect(fourth).not.toHaveBeenCalled();
    probes[0]?.resolve('a');
    await running[0];
    // A slot is free again.
    const fifth = b.execute(ok);
    await expect(fifth).resolves.toBe('ok');
    probes[1]?.resolve('b');
    await running[1];
    expect(b.state).toBe('CLOSED');
    probes[2]?.resolve('c');
    await expect(running[2]).resolves.toBe('c');
  });

  it('ignores the outcome of calls admitted before the last transition', async () => {
    const b = registry.get('jira:7', { failureThreshold: 1 });
    const slow = deferred<string>();
    const late = b.execute(() => slow.promise);
    await expect(b.execute(fail503)).rejects.toBeInstanceOf(HttpError);
    expect(b.state).toBe('OPEN');
    vi.advanceTimersByTime(60_000);
    slow.resolve('late');
    await late;
    expect(b.status().successes).toBe(0);
    expect(b.state).toBe('HALF_OPEN');
  });

  it('reset closes one breaker; resetAll closes all', async () => {
    await failTimes('jira:7', 5);
    await failTimes('github:3', 5);
    expect(registry.reset('jira:7')).toBe(true);
    expect(registry.reset('nope')).toBe(false);
    expect(registry.get('jira:7').state).toBe('CLOSED');
    expect(registry.get('github:3').state).toBe('OPEN');
    await expect(registry.get('jira:7').execute(ok)).resolves.toBe('ok');
    // The old open timer must not half-open a reset breaker later.
    vi.advanceTimersByTime(120_000);
    expect(registry.get('jira:7').state).toBe('CLOSED');
    // github:3 has gone HALF_OPEN meanwhile; resetAll closes it too.
    expect(registry.get('github:3').state).toBe('HALF_OPEN');
    registry.resetAll();
    expect(registry.status().map((s) => s.state)).toEqual(['CLOSED', 'CLOSED']);
    expect(changes).toContainEqual(['jira:7', 'OPEN', 'CLOSED']);
    expect(changes).toContainEqual(['github:3', 'HALF_OPEN', 'CLOSED']);
  });

  it('reports status fields', async () => {
    registry.get('backend');
    await failTimes('jira:7', 5);
    vi.advanceTimersByTime(15_000);
    await registry
      .get('jira:7')
      .execute(ok)
      .catch(() => undefined);
    const [backend, jira] = registry.status();
    expect(backend).toMatchObject({
      name: 'backend',
      state: 'CLOSED',
      openedAt: null,
      halfOpenAt: null,
      msUntilHalfOpen: null,
      failures: 0,
      lastError: null,
    });
    expect(jira).toEqual({
      name: 'jira:7',
      state: 'OPEN',
      openedAt: new Date(T0),
      halfOpenAt: new Date(T0 + 60_000),
      msUntilHalfOpen: 45_000,
      failures: 5,
      successes: 0,
      probesInFlight: 0,
      rejections: 1,
      lastError: {
        message: 'jira:7: HTTP 503 from https://example.atlassian.net/rest/api/3/x',
        at: new Date(T0),
      },
      config: { failureThreshold: 5, openMs: 60_000, halfOpenMaxCalls: 3, successesToClose: 3 },
    });
    vi.advanceTimersByTime(45_000);
    expect(registry.status()[1]).toMatchObject({
      state: 'HALF_OPEN',
      halfOpenAt: new Date(T0 + 60_000),
      msUntilHalfOpen: null,
    });
  });

  it('a breaker takes its own settings over the registry defaults, and refuses bad ones', () => {
    const r = createBreakerRegistry({ defaults: { failureThreshold: 7 } });
    expect(r.get('jira:7').config.failureThreshold).toBe(7);
    expect(r.get('backend', { openMs: 5000 }).config).toMatchObject({ failureThreshold: 7, openMs: 5000 });
    expect(r.get('github:3').config.openMs).toBe(60_000);
    expect(() => r.get('bad', { halfOpenMaxCalls: 0 })).toThrow(/halfOpenMaxCalls/);
    r.shutdown();
  });
});

describe('defaultIsFailure', () => {
  it('counts 5xx and network errors, not 4xx or a caller abort', () => {
    expect(defaultIsFailure(http(500))).toBe(true);
    expect(defaultIsFailure(http(503))).toBe(true);
    expect(defaultIsFailure(http(404))).toBe(false);
    expect(defaultIsFailure(http(429))).toBe(false);
    expect(defaultIsFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(defaultIsFailure(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(defaultIsFailure(new DOMException('timed out', 'TimeoutError'))).toBe(true);
  });
});
