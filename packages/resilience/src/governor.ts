import { normalizeHeaders, readRateLimit } from './headers.ts';
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

/**
 * The quota a request draws on. GitHub keeps separate budgets per token for REST (`core`) and
 * GraphQL points (`graphql`), and says which one an answer counts against in
 * `x-ratelimit-resource`; a source that does not say (Jira) has the one budget, `core`.
 */
export const DEFAULT_RESOURCE = 'core';

/** One resource's budget as last reported. */
export interface BudgetState {
  limit: number | null;
  /** Last reported remaining quota, less the requests started since. */
  remaining: number | null;
  resetAt: Date | null;
}

/** What the governor knows, for health checks and metrics. */
export interface GovernorState {
  name: string;
  /** The resource the budget fields below describe (`state(resource)`). */
  resource: string;
  limit: number | null;
  /** Last reported remaining quota of `resource`, less the requests started since. */
  remaining: number | null;
  resetAt: Date | null;
  /** Every resource seen so far, by name. */
  budgets: Record<string, BudgetState>;
  /** Set by `Retry-After` / `Beta-Retry-After`. */
  blockedUntil: Date | null;
  concurrency: number;
  inFlight: number;
  queued: number;
  /** How long the next request for `resource` would wait now. */
  nextWaitMs: number;
}

interface Entry {
  resource: string;
  /**
   * When this request has served its computed wait and may start without recomputing:
   * recomputing after a capped wait would wait again, possibly forever. Only ever moves earlier.
   */
  readyAt: number | null;
  start: () => void;
  reject: (err: unknown) => void;
  cancel: () => void;
}

interface Budget {
  limit: number | null;
  remaining: number | null;
  resetAt: number | null;
  lastStartAt: number | null;
}

export const GOVERNOR_DEFAULTS = {
  concurrency: 4,
  reserveFraction: 0.2,
  maxWaitMs: 60_000,
  maxResetWaitMs: 15 * 60_000,
} as const;

/**
 * Admits requests to one integration (or one token of it): at most `concurrency` at once, and
 * slower as the quota each draws on runs low — one budget per resource, so GraphQL points
 * running out does not hold back REST calls, nor the other way round. Never waits forever: every
 * wait is capped, and with no rate-limit headers seen it only caps concurrency.
 */
export class RateLimitGovernor {
  readonly name: string;
  readonly #concurrency: number;
  readonly #reserveFraction: number;
  readonly #maxWaitMs: number;
  readonly #maxResetWaitMs: number;
  readonly #logger: ResilienceLogger | undefined;
  readonly #budgets = new Map<string, Budget>();
  // Retry-After (a secondary limit) holds back every request of this token, whatever its resource.
  #blockedUntil: number | null = null;
  #inFlight = 0;
  readonly #queue: Entry[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;

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

  /**
   * Runs `fn` when a slot is free and the quota of `resource` allows; rejects with the signal's
   * reason if aborted while queued.
   */
  schedule<T>(fn: () => Promise<T>, signal?: AbortSignal, resource: string = DEFAULT_RESOURCE): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#queue.indexOf(entry);
        if (i === -1) return;
        this.#queue.splice(i, 1);
        if (this.#queue.length === 0) this.#clearTimer();
        reject(signal?.reason as Error);
      };
      const entry: Entry = {
        resource,
        readyAt: null,
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

  /**
   * Feeds the rate-limit headers of any response (success or error) from this integration, into
   * the budget `resource` names, else the one `x-ratelimit-resource` names, else `core`.
   */
  observe(headers: HeaderInput | undefined, resource?: string): void {
    const now = Date.now();
    const info = readRateLimit(headers, now);
    const named = normalizeHeaders(headers)['x-ratelimit-resource']?.trim();
    const budget = this.#budget(resource ?? (named ? named : DEFAULT_RESOURCE));
    if (info.limit !== null) budget.limit = info.limit;
    if (info.remaining !== null) {
      // Answers arrive out of order: within one window the lowest remaining is the newest.
      const sameWindow = info.resetAt === null || info.resetAt === budget.resetAt;
      budget.remaining =
        sameWindow && budget.remaining !== null ? Math.min(budget.remaining, info.remaining) : info.remaining;
    }
    if (info.resetAt !== null) budget.resetAt = info.resetAt;
    if (info.remaining !== null || info.resetAt !== null || info.limit !== null) this.#pump();
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

  /** The governor's state, with the budget of `resource` (default `core`) in front. */
  state(resource: string = DEFAULT_RESOURCE): GovernorState {
    const now = Date.now();
    this.#forgetStale(now);
    const view = (b: Budget | undefined): BudgetState => ({
      limit: b?.limit ?? null,
      remaining: b?.remaining ?? null,
      resetAt: b?.resetAt === null || b?.resetAt === undefined ? null : new Date(b.resetAt),
    });
    return {
      name: this.name,
      resource,
      ...view(this.#budgets.get(resource)),
      budgets: Object.fromEntries([...this.#budgets].map(([name, b]) => [name, view(b)])),
      blockedUntil: this.#blockedUntil === null ? null : new Date(this.#blockedUntil),
      concurrency: this.#concurrency,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      nextWaitMs: this.#computeWait(now, resource),
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

  #budget(resource: string): Budget {
    let budget = this.#budgets.get(resource);
    if (!budget)
      this.#budgets.set(
        resource,
        (budget = { limit: null, remaining: null, resetAt: null, lastStartAt: null }),
      );
    return budget;
  }

  #forgetStale(now: number): void {
    for (const budget of this.#budgets.values()) {
      if (budget.resetAt !== null && now >= budget.resetAt) {
        // The window has refilled; the old remaining count says nothing any more.
        budget.resetAt = null;
        budget.remaining = null;
      }
    }
    if (this.#blockedUntil !== null && now >= this.#blockedUntil) this.#blockedUntil = null;
  }

  #computeWait(now: number, resource: string): number {
    this.#forgetStale(now);
    if (this.#blockedUntil !== null) return Math.min(this.#blockedUntil - now, this.#maxResetWaitMs);
    const b = this.#budgets.get(resource);
    if (!b || b.remaining === null || b.resetAt === null) return 0;
    if (b.remaining <= 0) return Math.min(b.resetAt - now, this.#maxResetWaitMs);
    if (b.limit === null || b.remaining >= b.limit * this.#reserveFraction) return 0;
    const interval = Math.min((b.resetAt - now) / b.remaining, this.#maxWaitMs);
    const since = b.lastStartAt === null ? interval : now - b.lastStartAt;
    return Math.max(0, Math.ceil(interval - since));
  }

  /**
   * Starts what may start: first come, first served within a resource, but a request whose
   * resource has budget does not wait behind one whose resource has none.
   */
  #pump(): void {
    this.#clearTimer();
    const now = Date.now();
    const waiting = new Set<string>();
    let soonest = Infinity;
    for (let i = 0; i < this.#queue.length && this.#inFlight < this.#concurrency;) {
      const entry = this.#queue[i];
      if (!entry) break;
      if (waiting.has(entry.resource)) {
        i++;
        continue;
      }
      const wait =
        entry.readyAt !== null && now >= entry.readyAt ? 0 : this.#computeWait(now, entry.resource);
      if (wait > 0) {
        entry.readyAt = Math.min(entry.readyAt ?? Infinity, now + wait);
        soonest = Math.min(soonest, entry.readyAt - now);
        waiting.add(entry.resource);
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      this.#inFlight++;
      const budget = this.#budget(entry.resource);
      budget.lastStartAt = now;
      if (budget.remaining !== null) budget.remaining = Math.max(0, budget.remaining - 1);
      entry.start();
    }
    if (Number.isFinite(soonest)) {
      this.#timer = setTimeout(
        () => {
          this.#timer = null;
          this.#pump();
        },
        Math.max(0, soonest),
      );
    }
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** Creates the rate-limit governor for one integration. */
export function createGovernor(options: GovernorOptions = {}): RateLimitGovernor {
  return new RateLimitGovernor(options);
}
