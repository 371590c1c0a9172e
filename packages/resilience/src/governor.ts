import { readRateLimit } from './headers.ts';
import type { HeaderInput } from './headers.ts';
import type { ResilienceLogger } from './logger.ts';

export interface GovernorOptions {
  /** For logs, e.g. `github:3`. */
  name?: string;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /**
   * Below this share of `x-ratelimit-limit` remaining, requests are spread so the rest lasts
   * until the reset. Default 0.2. With no known limit there is no spreading, only the stop at 0.
   */
  reserveFraction?: number;
  /** Cap on one spacing wait. Default 60 s. */
  maxWaitMs?: number;
  /** Cap on waiting for a quota reset or `Retry-After`. Default 15 min. */
  maxResetWaitMs?: number;
  logger?: ResilienceLogger;
}

/** What the governor knows, for health checks and metrics. */
export interface GovernorState {
  name: string;
  limit: number | null;
  /** Last reported remaining quota, less the requests started since. */
  remaining: number | null;
  resetAt: Date | null;
  /** Set by `Retry-After` / `Beta-Retry-After`. */
  blockedUntil: Date | null;
  concurrency: number;
  inFlight: number;
  queued: number;
  /** How long the next queued request would wait now. */
  nextWaitMs: number;
}

interface Entry {
  start: () => void;
  reject: (err: unknown) => void;
  cancel: () => void;
}

export const GOVERNOR_DEFAULTS = {
  concurrency: 4,
  reserveFraction: 0.2,
  maxWaitMs: 60_000,
  maxResetWaitMs: 15 * 60_000,
} as const;

/**
 * Admits requests to one integration: at most `concurrency` at once, and slower as its quota
 * runs low. Never waits forever: every wait is capped, and with no rate-limit headers seen it
 * only caps concurrency.
 */
export class RateLimitGovernor {
  readonly name: string;
  readonly #concurrency: number;
  readonly #reserveFraction: number;
  readonly #maxWaitMs: number;
  readonly #maxResetWaitMs: number;
  readonly #logger: ResilienceLogger | undefined;
  #limit: number | null = null;
  #remaining: number | null = null;
  #resetAt: number | null = null;
  #blockedUntil: number | null = null;
  #lastStartAt: number | null = null;
  #inFlight = 0;
  readonly #queue: Entry[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  // The head of the queue has served its computed wait and may start without recomputing:
  // recomputing after a capped wait would wait again, possibly forever.
  #headReady = false;

  constructor(options: GovernorOptions = {}) {
    this.name = options.name ?? 'governor';
    this.#concurrency = options.concurrency ?? GOVERNOR_DEFAULTS.concurrency;
    this.#reserveFraction = options.reserveFraction ?? GOVERNOR_DEFAULTS.reserveFraction;
    this.#maxWaitMs = options.maxWaitMs ?? GOVERNOR_DEFAULTS.maxWaitMs;
    this.#maxResetWaitMs = options.maxResetWaitMs ?? GOVERNOR_DEFAULTS.maxResetWaitMs;
    this.#logger = options.logger;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new RangeError(
        `governor ${this.name}: concurrency must be a positive integer, got ${this.#concurrency}`,
      );
    }
    if (!(this.#reserveFraction >= 0 && this.#reserveFraction <= 1)) {
      throw new RangeError(
        `governor ${this.name}: reserveFraction must be within [0, 1], got ${this.#reserveFraction}`,
      );
    }
    if (!(this.#maxWaitMs >= 0) || !(this.#maxResetWaitMs >= 0)) {
      throw new RangeError(`governor ${this.name}: wait caps must be >= 0`);
    }
  }

  /** Runs `fn` when a slot is free and the quota allows; rejects with the signal's reason if aborted while queued. */
  schedule<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#queue.indexOf(entry);
        if (i === -1) return;
        this.#queue.splice(i, 1);
        if (i === 0) this.#headReady = false;
        if (this.#queue.length === 0) this.#clearTimer();
        reject(signal?.reason as Error);
      };
      const entry: Entry = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          // An async wrapper turns a synchronous throw from fn into a rejection.
          const run = async (): Promise<T> => fn();
          void run()
            .then(resolve, reject)
            .finally(() => {
              this.#inFlight--;
              this.#pump();
            });
        },
        reject,
        cancel: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(entry);
      this.#pump();
    });
  }

  /** Feeds the rate-limit headers of any response (success or error) from this integration. */
  observe(headers: HeaderInput | undefined): void {
    const now = Date.now();
    const info = readRateLimit(headers, now);
    if (info.limit !== null) this.#limit = info.limit;
    if (info.remaining !== null) {
      // Answers arrive out of order: within one window the lowest remaining is the newest.
      const sameWindow = info.resetAt === null || info.resetAt === this.#resetAt;
      this.#remaining =
        sameWindow && this.#remaining !== null ? Math.min(this.#remaining, info.remaining) : info.remaining;
    }
    if (info.resetAt !== null) this.#resetAt = info.resetAt;
    if (info.retryAfterMs !== null) {
      const until = now + info.retryAfterMs;
      if (this.#blockedUntil === null || until > this.#blockedUntil) {
        this.#blockedUntil = until;
        this.#logger?.warn(
          { governor: this.name, until: new Date(until) },
          'rate limit: server asked us to wait',
        );
      }
    }
  }

  state(): GovernorState {
    const now = Date.now();
    this.#forgetStale(now);
    return {
      name: this.name,
      limit: this.#limit,
      remaining: this.#remaining,
      resetAt: this.#resetAt === null ? null : new Date(this.#resetAt),
      blockedUntil: this.#blockedUntil === null ? null : new Date(this.#blockedUntil),
      concurrency: this.#concurrency,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      nextWaitMs: this.#computeWait(now),
    };
  }

  /** Rejects every queued request and stops the timer (shutdown). In-flight requests finish. */
  close(reason: unknown = new Error(`governor ${this.name} closed`)): void {
    this.#clearTimer();
    for (const entry of this.#queue.splice(0)) {
      entry.cancel();
      entry.reject(reason);
    }
  }

  #forgetStale(now: number): void {
    if (this.#resetAt !== null && now >= this.#resetAt) {
      // The window has refilled; the old remaining count says nothing any more.
      this.#resetAt = null;
      this.#remaining = null;
    }
    if (this.#blockedUntil !== null && now >= this.#blockedUntil) this.#blockedUntil = null;
  }

  #computeWait(now: number): number {
    this.#forgetStale(now);
    if (this.#blockedUntil !== null) return Math.min(this.#blockedUntil - now, this.#maxResetWaitMs);
    if (this.#remaining === null || this.#resetAt === null) return 0;
    if (this.#remaining <= 0) return Math.min(this.#resetAt - now, this.#maxResetWaitMs);
    if (this.#limit === null || this.#remaining >= this.#limit * this.#reserveFraction) return 0;
    const interval = Math.min((this.#resetAt - now) / this.#remaining, this.#maxWaitMs);
    const since = this.#lastStartAt === null ? interval : now - this.#lastStartAt;
    return Math.max(0, Math.ceil(interval - since));
  }

  #pump(): void {
    if (this.#timer !== null) return;
    while (this.#queue.length > 0 && this.#inFlight < this.#concurrency) {
      if (!this.#headReady) {
        const wait = this.#computeWait(Date.now());
        if (wait > 0) {
          this.#timer = setTimeout(() => {
            this.#timer = null;
            this.#headReady = true;
            this.#pump();
          }, wait);
          return;
        }
      }
      this.#headReady = false;
      const entry = this.#queue.shift();
      if (!entry) return;
      this.#inFlight++;
      this.#lastStartAt = Date.now();
      if (this.#remaining !== null) this.#remaining = Math.max(0, this.#remaining - 1);
      entry.start();
    }
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#headReady = false;
  }
}

/** Creates the rate-limit governor for one integration. */
export function createGovernor(options: GovernorOptions = {}): RateLimitGovernor {
  return new RateLimitGovernor(options);
}
