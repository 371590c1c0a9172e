import { CredentialsRejectedError, HttpError, isRetryable, UpstreamUnavailableError } from './errors.ts';
import type { GiveUpReason } from './errors.ts';
import { serverWaitMs } from './headers.ts';
import type { ResilienceLogger } from './logger.ts';
import { sleep as defaultSleep } from './sleep.ts';

/** Backoff shape. Defaults give ceilings of 1 s, 2 s, 4 s, 8 s (DESIGN §4). */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay. Default 1000. */
  baseMs?: number;
  /** Growth per retry. Default 2. */
  factor?: number;
  /** No computed delay exceeds this. Default 30 000. */
  capMs?: number;
  /** Returns [0, 1). Inject a seeded one in tests. Default Math.random. */
  random?: () => number;
}

export interface RetryOptions extends BackoffOptions {
  /** Target name for messages and errors, e.g. `jira:7`. Default `upstream`. */
  source?: string;
  /** Retries after the first attempt. Default 4 (so 5 attempts). */
  retries?: number;
  /**
   * The longest server-requested wait (`Retry-After`, rate-limit reset) honoured in-process.
   * Longer than this and the loop gives up with `UpstreamUnavailableError.retryAt` so the
   * caller can pause the run instead. Default 15 min.
   */
  maxServerWaitMs?: number;
  /** Aborts each attempt (its `signal`) after this long; the resulting TimeoutError is retryable. */
  attemptTimeoutMs?: number;
  /** Cancels the whole loop, including a backoff wait. Never retried. */
  signal?: AbortSignal;
  /** Which errors get another attempt. Default `isRetryable`. */
  isRetryable?: (err: unknown) => boolean;
  /** Injectable for tests. Must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each wait: `attempt` is the 1-based attempt that just failed. */
  onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
  /** Called once when the loop stops without a result after retryable failures. */
  onGiveUp?: (attempts: number, err: unknown, reason: GiveUpReason) => void;
  logger?: ResilienceLogger;
}

/** What each attempt receives. */
export interface AttemptContext {
  /** 1-based. */
  attempt: number;
  /** Aborts on caller cancellation or the per-attempt timeout; pass it to fetch. */
  signal: AbortSignal | undefined;
}

export const RETRY_DEFAULTS = {
  retries: 4,
  baseMs: 1000,
  factor: 2,
  capMs: 30_000,
  maxServerWaitMs: 15 * 60_000,
} as const;

/** Full-jitter delay before retry `retryIndex` (0-based): random(0, min(cap, base × factor^retryIndex)). */
export function backoffDelay(retryIndex: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? RETRY_DEFAULTS.baseMs;
  const factor = options.factor ?? RETRY_DEFAULTS.factor;
  const cap = options.capMs ?? RETRY_DEFAULTS.capMs;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(cap, base * factor ** retryIndex);
  return Math.floor(random() * ceiling);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function runAttempt<T>(
  fn: (ctx: AttemptContext) => Promise<T>,
  attempt: number,
  outer: AbortSignal | undefined,
  timeoutMs: number | undefined,
): Promise<T> {
  if (timeoutMs === undefined) return fn({ attempt, signal: outer });
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Race, not just abort: an attempt that ignores its signal must still not hang the loop.
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new DOMException(`attempt ${attempt} timed out after ${timeoutMs} ms`, 'TimeoutError');
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn({ attempt, signal: controller.signal }), timedOut]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * Runs `fn` until it succeeds, retrying retryable errors with full-jitter exponential backoff;
 * a server-requested wait (`Retry-After`, quota reset) replaces the computed delay.
 * Non-retryable errors surface as they are (a 401 as `CredentialsRejectedError`); running out
 * of retries, or being asked to wait longer than `maxServerWaitMs`, throws `UpstreamUnavailableError`.
 */
export async function retry<T>(
  fn: (ctx: AttemptContext) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const source = options.source ?? 'upstream';
  const retries = options.retries ?? RETRY_DEFAULTS.retries;
  const maxServerWaitMs = options.maxServerWaitMs ?? RETRY_DEFAULTS.maxServerWaitMs;
  const classify = options.isRetryable ?? isRetryable;
  const sleep = options.sleep ?? defaultSleep;
  const { signal, logger } = options;
  if (!Number.isInteger(retries) || retries < 0)
    throw new RangeError(`retries must be a non-negative integer, got ${retries}`);

  const giveUp = (attempts: number, err: unknown, reason: GiveUpReason, retryAt: Date | null): never => {
    options.onGiveUp?.(attempts, err, reason);
    logger?.warn({ source, attempts, reason, err: describe(err), retryAt }, 'giving up');
    throw new UpstreamUnavailableError({ source, attempts, reason, cause: err, retryAt });
  };

  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await runAttempt(fn, attempt, signal, options.attemptTimeoutMs);
    } catch (caught) {
      // The caller's cancellation wins over any classification.
      signal?.throwIfAborted();
      let err = caught;
      // A 401 names its source; the loop knows the target when the HTTP client did not say.
      if (
        err instanceof HttpError &&
        err.status === 401 &&
        (!(err instanceof CredentialsRejectedError) || err.source === undefined)
      ) {
        err = new CredentialsRejectedError({
          url: err.url,
          headers: err.headers,
          body: err.bodySnippet,
          source: err.source ?? source,
        });
      }
      if (!classify(err)) throw err;

      const now = Date.now();
      const serverWait = err instanceof HttpError ? serverWaitMs(err.headers, err.status, now) : null;
      const serverRetryAt = serverWait === null ? null : new Date(now + serverWait);
      if (attempt > retries) return giveUp(attempt, err, 'retries-exhausted', serverRetryAt);
      if (serverWait !== null && serverWait > maxServerWaitMs)
        return giveUp(attempt, err, 'wait-exceeds-max', serverRetryAt);

      const delayMs = serverWait ?? backoffDelay(attempt - 1, options);
      options.onRetry?.(attempt, delayMs, err);
      logger?.info(
        { source, attempt, delayMs, err: describe(err), serverRequested: serverWait !== null },
        'retrying',
      );
      await sleep(delayMs, signal);
    }
  }
}
