import CircuitBreaker from 'opossum';
import { BreakerOpenError, HttpError } from './errors.ts';
import type { ResilienceLogger } from './logger.ts';

/*
 * Why a layer over opossum rather than opossum alone
 * --------------------------------------------------
 * Opossum opens on an error *percentage* over a rolling window, and its half-open state admits a
 * single probe and closes on the first success. The product needs "N consecutive failures →
 * OPEN" and "up to M concurrent probes, close after K successes, any failure re-opens", which
 * opossum's options cannot express. So each target keeps one opossum breaker that:
 *   - runs every call (`fire`), applying its optional call timeout, `errorFilter` and stats;
 *   - owns the OPEN period: `open()` starts opossum's reset timer, whose `halfOpen` event is
 *     our OPEN → HALF_OPEN transition;
 *   - is configured never to open by itself (`errorThresholdPercentage: 100`, and an error rate
 *     can never *exceed* 100 %), because the consecutive-failure count below decides that.
 * On top, this file counts consecutive failures, gates half-open probes and counts their
 * successes. While we are HALF_OPEN, opossum is kept closed so it lets our admitted probes run.
 */

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** Per-target breaker settings. */
export interface BreakerConfig {
  /** Consecutive failures that open the breaker. Env `EXTERNAL_CB_THRESHOLD`, default 5. */
  failureThreshold: number;
  /** How long OPEN lasts before probes are let through. Env `EXTERNAL_CB_TIMEOUT_SECONDS`, default 60 s. */
  openMs: number;
  /** Probes allowed in flight at once while HALF_OPEN. Env `EXTERNAL_CB_HALF_OPEN_MAX_CALLS`, default 3. */
  halfOpenMaxCalls: number;
  /** Successful probes that close the breaker. Default 3. */
  successesToClose: number;
  /** `retryAt` offset given to callers turned away because every half-open probe slot is busy. Default 1 s. */
  halfOpenBusyRetryMs: number;
  /** Opossum's per-call timeout in ms, or false (default) when the HTTP client times attempts itself. */
  callTimeoutMs: number | false;
  /** Which errors count against the target. Others are neutral: neither failure nor success. */
  isFailure: (err: unknown) => boolean;
}

/**
 * Default failure rule: server errors, timeouts and network errors count; a 4xx (400, 401, 403,
 * 404, 422, and 429, which the governor and retry handle) says the target is up, so it does not.
 * A caller's own cancellation (AbortError) is not the target's fault either.
 */
export function defaultIsFailure(err: unknown): boolean {
  if (err instanceof HttpError) return err.status >= 500;
  if (err instanceof Error && err.name === 'AbortError') return false;
  return true;
}

export const BREAKER_DEFAULTS: BreakerConfig = {
  failureThreshold: 5,
  openMs: 60_000,
  halfOpenMaxCalls: 3,
  successesToClose: 3,
  halfOpenBusyRetryMs: 1000,
  callTimeoutMs: false,
  isFailure: defaultIsFailure,
};

/** The env-configurable part of `BreakerConfig`. */
export type BreakerEnvConfig = Pick<BreakerConfig, 'failureThreshold' | 'openMs' | 'halfOpenMaxCalls'>;

function readNumber(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  integer: boolean,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
}

/** Reads `EXTERNAL_CB_THRESHOLD`, `EXTERNAL_CB_TIMEOUT_SECONDS`, `EXTERNAL_CB_HALF_OPEN_MAX_CALLS`; a bad value throws naming the variable. */
export function breakerConfigFromEnv(env: Readonly<Record<string, string | undefined>>): BreakerEnvConfig {
  return {
    failureThreshold: readNumber(env, 'EXTERNAL_CB_THRESHOLD', BREAKER_DEFAULTS.failureThreshold, true),
    openMs: Math.round(
      readNumber(env, 'EXTERNAL_CB_TIMEOUT_SECONDS', BREAKER_DEFAULTS.openMs / 1000, false) * 1000,
    ),
    halfOpenMaxCalls: readNumber(
      env,
      'EXTERNAL_CB_HALF_OPEN_MAX_CALLS',
      BREAKER_DEFAULTS.halfOpenMaxCalls,
      true,
    ),
  };
}

/** One breaker's state, for health checks, metrics and the dashboard. */
export interface BreakerStatus {
  name: string;
  state: BreakerState;
  /** When it last opened (null while CLOSED). */
  openedAt: Date | null;
  /** OPEN: when probes will be let through; HALF_OPEN: when that happened; CLOSED: null. */
  halfOpenAt: Date | null;
  /** OPEN: ms left until HALF_OPEN; otherwise null. */
  msUntilHalfOpen: number | null;
  /** Consecutive failures: towards opening while CLOSED; the streak that opened it otherwise. */
  failures: number;
  /** Successful probes counted towards closing (HALF_OPEN). */
  successes: number;
  /** Probes in flight (HALF_OPEN). */
  probesInFlight: number;
  /** Calls turned away since the breaker was created or reset. */
  rejections: number;
  lastError: { message: string; at: Date } | null;
  config: Pick<BreakerConfig, 'failureThreshold' | 'openMs' | 'halfOpenMaxCalls' | 'successesToClose'>;
}

/** Hooks through which the caller wires logging and metrics (pino, prom-client). */
export interface BreakerHooks {
  logger?: ResilienceLogger;
  onStateChange?: (name: string, from: BreakerState, to: BreakerState) => void;
}

type Action = (fn: () => Promise<unknown>) => Promise<unknown>;

/** A circuit breaker for one target. Get it from a `BreakerRegistry`. */
export class Breaker {
  readonly name: string;
  readonly config: Readonly<BreakerConfig>;
  readonly #hooks: BreakerHooks;
  readonly #cb: CircuitBreaker<Parameters<Action>>;
  #state: BreakerState = 'CLOSED';
  // Bumped on every transition: a call's outcome only counts in the state that admitted it.
  #epoch = 0;
  #failures = 0;
  #successes = 0;
  #probesInFlight = 0;
  #rejections = 0;
  #openedAt: number | null = null;
  #halfOpenedAt: number | null = null;
  #lastError: { message: string; at: Date } | null = null;

  constructor(name: string, config: BreakerConfig, hooks: BreakerHooks = {}) {
    validateConfig(name, config);
    this.name = name;
    this.config = config;
    this.#hooks = hooks;
    const action: Action = (fn) => fn();
    this.#cb = new CircuitBreaker(action, {
      name,
      timeout: config.callTimeoutMs,
      resetTimeout: config.openMs,
      errorThresholdPercentage: 100,
      errorFilter: (err: unknown) => !config.isFailure(err),
      enableSnapshots: false,
      rollingPercentilesEnabled: false,
    });
    this.#cb.on('halfOpen', () => {
      if (this.#state === 'OPEN') this.#transition('HALF_OPEN', 'open period elapsed');
    });
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Runs `fn` through the breaker; rejects with `BreakerOpenError` without calling it when open. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#state === 'OPEN')
      throw this.#reject(new Date((this.#openedAt ?? Date.now()) + this.config.openMs), 'open');
    const probing = this.#state === 'HALF_OPEN';
    if (probing) {
      if (this.#probesInFlight >= this.config.halfOpenMaxCalls) {
        throw this.#reject(
          new Date(Date.now() + this.config.halfOpenBusyRetryMs),
          'half-open with every probe slot busy',
        );
      }
      this.#probesInFlight++;
    }
    const epoch = this.#epoch;
    try {
      const result = (await this.#cb.fire(fn)) as T;
      this.#onSuccess(epoch);
      return result;
    } catch (err) {
      if (
        err instanceof Error &&
        CircuitBreaker.isOurError(err) &&
        (err as { code?: unknown }).code === 'EOPENBREAKER'
      ) {
        // Opossum and this layer disagree only if someone drove opossum directly; honour it.
        throw this.#reject(new Date(Date.now() + this.config.openMs), 'open');
      }
      if (this.config.isFailure(err)) this.#onFailure(epoch, err);
      throw err;
    } finally {
      if (probing && epoch === this.#epoch) this.#probesInFlight--;
    }
  }

  /** Closes the breaker and clears its counters (operator action). */
  reset(): void {
    const from = this.#state;
    this.#rejections = 0;
    this.#lastError = null;
    if (from === 'CLOSED') {
      this.#failures = 0;
      return;
    }
    this.#transition('CLOSED', 'reset');
  }

  status(now: number = Date.now()): BreakerStatus {
    const halfOpenAt =
      this.#state === 'OPEN' && this.#openedAt !== null
        ? this.#openedAt + this.config.openMs
        : this.#state === 'HALF_OPEN'
          ? this.#halfOpenedAt
          : null;
    return {
      name: this.name,
      state: this.#state,
      openedAt: this.#state === 'CLOSED' || this.#openedAt === null ? null : new Date(this.#openedAt),
      halfOpenAt: halfOpenAt === null ? null : new Date(halfOpenAt),
      msUntilHalfOpen: this.#state === 'OPEN' && halfOpenAt !== null ? Math.max(0, halfOpenAt - now) : null,
      failures: this.#failures,
      successes: this.#successes,
      probesInFlight: this.#probesInFlight,
      rejections: this.#rejections,
      lastError: this.#lastError,
      config: {
        failureThreshold: this.config.failureThreshold,
        openMs: this.config.openMs,
        halfOpenMaxCalls: this.config.halfOpenMaxCalls,
        successesToClose: this.config.successesToClose,
      },
    };
  }

  /** Stops opossum's timers; the breaker must not be used afterwards. */
  shutdown(): void {
    this.#cb.shutdown();
  }

  #reject(retryAt: Date, detail: string): BreakerOpenError {
    this.#rejections++;
    return new BreakerOpenError(this.name, retryAt, detail);
  }

  #onSuccess(epoch: number): void {
    if (epoch !== this.#epoch) return;
    if (this.#state === 'CLOSED') {
      this.#failures = 0;
    } else if (this.#state === 'HALF_OPEN') {
      this.#successes++;
      if (this.#successes >= this.config.successesToClose)
        this.#transition('CLOSED', `${this.#successes} successful probes`);
    }
  }

  #onFailure(epoch: number, err: unknown): void {
    if (epoch !== this.#epoch) return;
    this.#lastError = { message: err instanceof Error ? err.message : String(err), at: new Date() };
    if (this.#state === 'CLOSED') {
      this.#failures++;
      if (this.#failures >= this.config.failureThreshold)
        this.#transition('OPEN', `${this.#failures} consecutive failures`);
    } else if (this.#state === 'HALF_OPEN') {
      this.#transition('OPEN', 'probe failed');
    }
  }

  #transition(to: BreakerState, reason: string): void {
    const from = this.#state;
    this.#state = to;
    this.#epoch++;
    this.#successes = 0;
    this.#probesInFlight = 0;
    const now = Date.now();
    if (to === 'OPEN') {
      this.#openedAt = now;
      this.#halfOpenedAt = null;
      // Opossum is closed here (CLOSED or our HALF_OPEN); open() starts its reset timer.
      this.#cb.open();
    } else if (to === 'HALF_OPEN') {
      this.#halfOpenedAt = now;
      // Opossum itself is half-open now and would admit one probe; we gate probes instead.
      this.#cb.close();
    } else {
      this.#failures = 0;
      this.#openedAt = null;
      this.#halfOpenedAt = null;
      this.#cb.close();
    }
    const fields = { breaker: this.name, from, to, reason, lastError: this.#lastError?.message };
    if (to === 'OPEN') this.#hooks.logger?.warn(fields, `circuit breaker ${this.name} opened`);
    else
      this.#hooks.logger?.info(
        fields,
        `circuit breaker ${this.name} ${to === 'CLOSED' ? 'closed' : 'half-open'}`,
      );
    this.#hooks.onStateChange?.(this.name, from, to);
  }
}

function validateConfig(name: string, c: BreakerConfig): void {
  const positiveInt = (key: keyof BreakerConfig, v: number): void => {
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`breaker ${name}: ${key} must be a positive integer, got ${v}`);
  };
  positiveInt('failureThreshold', c.failureThreshold);
  positiveInt('halfOpenMaxCalls', c.halfOpenMaxCalls);
  positiveInt('successesToClose', c.successesToClose);
  if (!(c.openMs > 0)) throw new RangeError(`breaker ${name}: openMs must be positive, got ${c.openMs}`);
  if (!(c.halfOpenBusyRetryMs >= 0))
    throw new RangeError(`breaker ${name}: halfOpenBusyRetryMs must be >= 0`);
}

export interface BreakerRegistryOptions extends BreakerHooks {
  /** Settings for every breaker, usually `breakerConfigFromEnv(process.env)`. */
  defaults?: Partial<BreakerConfig>;
  /**
   * Per-target settings, keyed by exact name (`jira:7`) or by kind, the part before the first
   * colon (`jira` applies to every `jira:*`). Exact beats kind beats defaults.
   */
  overrides?: Readonly<Record<string, Partial<BreakerConfig>>>;
}

/** One breaker per named target (`jira:7`, `github:3`, `backend`, `postgres`), created on first use. */
export class BreakerRegistry {
  readonly #breakers = new Map<string, Breaker>();
  readonly #options: BreakerRegistryOptions;

  constructor(options: BreakerRegistryOptions = {}) {
    this.#options = options;
  }

  /** The breaker for `name`, created on first use; `config` applies only when it is created. */
  get(name: string, config: Partial<BreakerConfig> = {}): Breaker {
    let breaker = this.#breakers.get(name);
    if (!breaker) {
      const kind = name.split(':')[0] ?? name;
      const o = this.#options.overrides ?? {};
      const merged: BreakerConfig = {
        ...BREAKER_DEFAULTS,
        ...this.#options.defaults,
        ...(kind !== name ? o[kind] : undefined),
        ...o[name],
        ...config,
      };
      breaker = new Breaker(name, merged, {
        logger: this.#options.logger,
        onStateChange: this.#options.onStateChange,
      });
      this.#breakers.set(name, breaker);
    }
    return breaker;
  }

  /** Every breaker's state, sorted by name. */
  status(): BreakerStatus[] {
    const now = Date.now();
    return [...this.#breakers.values()]
      .map((b) => b.status(now))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Closes one breaker; false if no breaker has that name. */
  reset(name: string): boolean {
    const breaker = this.#breakers.get(name);
    breaker?.reset();
    return breaker !== undefined;
  }

  /** Closes every breaker. */
  resetAll(): void {
    for (const breaker of this.#breakers.values()) breaker.reset();
  }

  /** Stops every breaker's timers (process shutdown, tests) and forgets them. */
  shutdown(): void {
    for (const breaker of this.#breakers.values()) breaker.shutdown();
    this.#breakers.clear();
  }
}

/** Creates a breaker registry; pass `defaults: breakerConfigFromEnv(process.env)` and the logger/metrics hooks. */
export function createBreakerRegistry(options: BreakerRegistryOptions = {}): BreakerRegistry {
  return new BreakerRegistry(options);
}
