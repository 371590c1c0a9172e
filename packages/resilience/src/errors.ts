import { normalizeHeaders, serverWaitMs } from './headers.ts';
import type { HeaderInput, HeaderMap } from './headers.ts';

const BODY_SNIPPET_CHARS = 500;

/** What an HTTP client knows about a non-2xx answer. */
export interface HttpErrorInit {
  status: number;
  url: string;
  headers?: HeaderInput;
  /** The response body (or its start); only a snippet is kept. */
  body?: string;
  /** The target, e.g. `jira:7`, `github:3`, `backend`; used in messages. */
  source?: string;
  message?: string;
}

/** A non-2xx HTTP answer from a source or the backend. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly code: string = 'HTTP_ERROR';
  readonly status: number;
  readonly url: string;
  readonly headers: HeaderMap;
  readonly bodySnippet: string;
  readonly source: string | undefined;

  constructor(init: HttpErrorInit) {
    super(init.message ?? `${init.source ? `${init.source}: ` : ''}HTTP ${init.status} from ${init.url}`);
    this.status = init.status;
    this.url = init.url;
    this.headers = normalizeHeaders(init.headers);
    this.bodySnippet = (init.body ?? '').slice(0, BODY_SNIPPET_CHARS);
    this.source = init.source;
  }
}

/** A 401: the stored credentials no longer work. Never retried; the job fails with this message. */
export class CredentialsRejectedError extends HttpError {
  override name = 'CredentialsRejectedError';
  override readonly code: string = 'CREDENTIALS_REJECTED';

  constructor(init: Omit<HttpErrorInit, 'status' | 'message'> & { status?: number }) {
    super({
      ...init,
      status: init.status ?? 401,
      message: `credentials rejected by ${init.source ?? 'upstream'}`,
    });
  }
}

/** A 429, or a 403 that carries rate-limit headers (GitHub's secondary and primary limits). Retryable. */
export class RateLimitedError extends HttpError {
  override name = 'RateLimitedError';
  override readonly code: string = 'RATE_LIMITED';
  /** When the server said we may try again; null if it did not say. */
  readonly retryAt: Date | null;

  constructor(init: HttpErrorInit, now: number = Date.now()) {
    super({
      ...init,
      message: init.message ?? `${init.source ?? 'upstream'} rate limited (HTTP ${init.status})`,
    });
    const wait = serverWaitMs(this.headers, init.status, now);
    this.retryAt = wait === null ? null : new Date(now + wait);
  }
}

/** Why a retry loop stopped without a result. */
export type GiveUpReason = 'retries-exhausted' | 'wait-exceeds-max';

/**
 * The upstream stayed unavailable: retries ran out, or it asked us to wait longer than we will
 * wait in-process. `retryAt` (when known) is when the caller may resume the run.
 */
export class UpstreamUnavailableError extends Error {
  override name = 'UpstreamUnavailableError';
  readonly code: string = 'UPSTREAM_UNAVAILABLE';
  readonly source: string;
  readonly attempts: number;
  readonly reason: GiveUpReason;
  readonly retryAt: Date | null;

  constructor(init: {
    source: string;
    attempts: number;
    reason: GiveUpReason;
    cause: unknown;
    retryAt?: Date | null;
  }) {
    const last = init.cause instanceof Error ? init.cause.message : String(init.cause);
    const why =
      init.reason === 'retries-exhausted'
        ? `after ${init.attempts} attempt${init.attempts === 1 ? '' : 's'}`
        : `asked to wait until ${init.retryAt?.toISOString() ?? 'later'} (attempt ${init.attempts})`;
    super(`${init.source} unavailable ${why}: ${last}`, { cause: init.cause });
    this.source = init.source;
    this.attempts = init.attempts;
    this.reason = init.reason;
    this.retryAt = init.retryAt ?? null;
  }
}

/** A circuit breaker is open: the call was not made. Wait until `retryAt`, do not spin. */
export class BreakerOpenError extends Error {
  override name = 'BreakerOpenError';
  readonly code: string = 'BREAKER_OPEN';
  /** The breaker's name, e.g. `jira:7` (`name` itself stays the class name, as for every Error). */
  readonly breakerName: string;
  readonly retryAt: Date;

  constructor(breakerName: string, retryAt: Date, detail = 'open') {
    super(`circuit breaker ${breakerName} is ${detail}; retry at ${retryAt.toISOString()}`);
    this.breakerName = breakerName;
    this.retryAt = retryAt;
  }
}

/** A 2xx body that could not be parsed (truncated or malformed JSON). Retryable. */
export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
  readonly code: string = 'MALFORMED_RESPONSE';
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(`malformed response body from ${url}`, { cause });
    this.url = url;
  }
}

/** GitHub answers an exhausted quota with 403, not 429; a 403 is a rate limit only with these signs. */
export function isRateLimit403(headers: HeaderMap): boolean {
  return headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined;
}

/** Builds the right error class for a non-2xx answer (401 → credentials, 429/rate-limit 403 → rate limited). */
export function httpErrorFrom(init: HttpErrorInit): HttpError {
  if (init.status === 401) return new CredentialsRejectedError(init);
  if (init.status === 429) return new RateLimitedError(init);
  if (init.status === 403 && isRateLimit403(normalizeHeaders(init.headers)))
    return new RateLimitedError(init);
  return new HttpError(init);
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function prop(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

/**
 * Whether an error is worth another attempt: 429/500/502/503/504, rate-limited 403s, timeouts,
 * connection resets and malformed bodies. Never 400/401/403/404/422, an open breaker, or a give-up.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof BreakerOpenError || err instanceof UpstreamUnavailableError) return false;
  if (err instanceof CredentialsRejectedError) return false;
  if (err instanceof RateLimitedError) return true;
  if (err instanceof HttpError) {
    return RETRYABLE_STATUS.has(err.status) || (err.status === 403 && isRateLimit403(err.headers));
  }
  if (err instanceof MalformedResponseError || err instanceof SyntaxError) return true;
  // fetch wraps socket errors: TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }).
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = prop(current, 'code');
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
    const name = prop(current, 'name');
    // A per-attempt timeout aborts fetch; the retry loop checks its own signal first, so a
    // caller's cancellation is never retried.
    if (name === 'AbortError' || name === 'TimeoutError') return true;
    // undici: the connection dropped while the body was streaming.
    if (current instanceof TypeError && current.message === 'terminated') return true;
    current = prop(current, 'cause');
  }
  return false;
}

/**
 * When a paused run may resume after this error: an open breaker's `retryAt`, a give-up's or a
 * rate limit's server-given time; null when the error carries none (fail the job instead).
 */
export function resumeAt(err: unknown): Date | null {
  if (err instanceof BreakerOpenError) return err.retryAt;
  if (err instanceof UpstreamUnavailableError || err instanceof RateLimitedError) return err.retryAt;
  return null;
}
