import { BreakerOpenError, HttpError } from './errors.ts';
import type { ResilienceLogger } from './logger.ts';

/*
 * A plain state machine of our own, not opossum
 * ---------------------------------------------
 * DESIGN §4 asks for "N consecutive failures → OPEN" and "up to M concurrent probes in HALF_OPEN,
 * close after K successes, any failure re-opens". Opossum opens on an error *percentage* over a
 * rolling window and its half-open admits one probe and closes on the first success; its options
 * cannot express either rule. Used "as designed" it would change the semantics, and used as a
 * reset timer under a second state machine (what this file did before) the two had to be kept in
 * step. So the whole machine lives here: one state, one timer for the OPEN period, and an epoch so a
 * call only counts in the state that admitted it.
 */

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** Per-target breaker settings. */
export interface BreakerConfig {
  /** Consecutive failures that open the breaker (extract: `EXTERNAL_CB_THRESHOLD`). */
  failureThreshold: number;
  /** How long OPEN lasts before probes are let through (extract: `EXTERNAL_CB_TIMEOUT_SECONDS`). */
  openMs: number;
  /** Probes allowed in flight at once while HALF_OPEN (extract: `EXTERNAL_CB_HALF_OPEN_MAX_CALLS`). */
  halfOpenMaxCalls: number;
  /** Successful probes that close the breaker. */
  successesToClose: number;
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

/** DESIGN §4 defaults: 5 failures, 60 s open, 3 probes, 3 successes to close. */
export const BREAKER_DEFAULTS: BreakerConfig = {
  failureThreshold: 5,
  openMs: 60_000,
  halfOpenMaxCalls: 3,
  successesToClose: 3,
  isFailure: defaultIsFailure,
};

// A caller turned away because every half-open probe slot is busy is told to come back this soon:
// a probe is one request, so a slot frees within about one call's time.
const HALF_OPEN_BUSY_RETRY_MS = 1000;

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

/** A circuit breaker for one target: CLOSED → OPEN → HALF_OPEN → CLOSED (or back to OPEN). */
export class Breaker {
  readonly name: string;
  readonly config: Readonly<BreakerConfig>;
  readonly #hooks: BreakerHooks;
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
  // Ends the OPEN period. Unref'd: an open breaker alone must not keep a process alive.
  #halfOpenTimer: NodeJS.Timeout | null = null;

  constructor(name: string, config: BreakerConfig, hooks: BreakerHooks = {}) {
    validateConfig(name, config);
    this.name = name;
    this.config = config;
    this.#hooks = hooks;
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
          new Date(Date.now() + HALF_OPEN_BUSY_RETRY_MS),
          'half-open with every probe slot busy',
        );
      }
      this.#probesInFlight++;
    }
    const epoch = this.#epoch;
    try {
      const result = await fn();
      this.#onSuccess(epoch);
      return result;
    } catch (err) {
      if (this.config.isFailure(err)) this.#onFailure(epoch, err);
      throw err;
    } finally {
      if (probing && epoch === this.#epoch) this.#probesInFlight--;
    }
  }

  /** Closes the breaker and clears its counters (operator action). */
  reset(): void {
    this.#rejections = 0;
    this.#lastError = null;
    if (this.#state === 'CLOSED') this.#failures = 0;
    else this.#transition('CLOSED', 'reset');
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

  /** Stops the OPEN-period timer (process shutdown, tests). */
  shutdown(): void {
    this.#clearTimer();
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

  #clearTimer(): void {
    if (this.#halfOpenTimer !== null) clearTimeout(this.#halfOpenTimer);
    this.#halfOpenTimer = null;
  }

  #transition(to: BreakerState, reason: string): void {
    const from = this.#state;
    this.#state = to;
    this.#epoch++;
    this.#successes = 0;
    this.#probesInFlight = 0;
    this.#clearTimer();
    const now = Date.now();
    if (to === 'OPEN') {
      this.#openedAt = now;
      this.#halfOpenedAt = null;
      this.#halfOpenTimer = setTimeout(() => {
        this.#halfOpenTimer = null;
        this.#transition('HALF_OPEN', 'open period elapsed');
      }, this.config.openMs);
      this.#halfOpenTimer.unref();
    } else if (to === 'HALF_OPEN') {
      this.#halfOpenedAt = now;
    } else {
      this.#failures = 0;
      this.#openedAt = null;
      this.#halfOpenedAt = null;
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
}

export interface BreakerRegistryOptions extends BreakerHooks {
  /** Settings for every breaker (a service reads them from its config.ts). */
  defaults?: Partial<BreakerConfig>;
}

/** One breaker per named target (`jira:7`, `github:3`, `backend`, `webhook:2`), created on first use. */
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
      breaker = new Breaker(
        name,
        { ...BREAKER_DEFAULTS, ...this.#options.defaults, ...config },
        { logger: this.#options.logger, onStateChange: this.#options.onStateChange },
      );
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

  /** Stops every breaker's timer (process shutdown, tests) and forgets them. */
  shutdown(): void {
    for (const breaker of this.#breakers.values()) breaker.shutdown();
    this.#breakers.clear();
  }
}

/** Creates a breaker registry with the given defaults and logging/metrics hooks. */
export function createBreakerRegistry(options: BreakerRegistryOptions = {}): BreakerRegistry {
  return new BreakerRegistry(options);
}
