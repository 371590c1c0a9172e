import {
  httpErrorFrom,
  MalformedResponseError,
  normalizeHeaders,
  resilientCall,
  sleep as defaultSleep,
} from '@tributary/resilience';
import type { Breaker, RateLimitGovernor, ResilienceLogger, RetryOptions } from '@tributary/resilience';
import { guardedRequest } from './guarded-request.ts';
import type { OutboundGuard } from '@tributary/netguard';
import { createScrubber, scrubError } from './scrub.ts';

export type SourceKind = 'jira' | 'github';

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type Query = Readonly<Record<string, QueryValue>>;

export interface SourceClientOptions {
  source: SourceKind;
  /** Site root, possibly with a base path (GitHub Enterprise `https://host/api/v3`). */
  baseUrl: string;
  /** The whole `Authorization` header value (`Basic …`, `Bearer …`). */
  authorization: string;
  /** Sent with every request (e.g. GitHub's `Accept` and API version); per-call headers win. */
  headers?: Readonly<Record<string, string>>;
  governor?: RateLimitGovernor;
  breaker: Breaker;
  retry?: Partial<RetryOptions>;
  /** Per attempt, headers and body included. Default 30 s. */
  attemptTimeoutMs?: number;
  /** Runs before every attempt; whatever it throws (pause, cancel) propagates untouched. */
  beforeRequest?: () => Promise<void>;
  logger?: ResilienceLogger;
  /** Every connection goes through it: resolve, refuse internal addresses, connect to the checked one. */
  guard: OutboundGuard;
  /** The integration's secrets, scrubbed by value from every error this client throws. */
  secrets?: readonly string[];
  /** Cap on one response body. Default 32 MB. */
  maxResponseBytes?: number;
  /** Every answer, whatever its status (metrics). */
  onResponse?: (status: number, headers: Readonly<Record<string, string>>) => void;
}

export interface RequestOptions {
  query?: Query;
  headers?: Readonly<Record<string, string>>;
  /** Cancels the call, including governor queueing and backoff waits. */
  signal?: AbortSignal;
  /**
   * Non-2xx statuses returned to the caller as answers instead of thrown and retried (GitHub's
   * GraphQL 502 on a query that ran past 10 s: the caller shrinks the query, a retry would not help).
   */
  answerStatuses?: readonly number[];
  /** The quota the call counts against (`graphql` for GitHub's GraphQL API); default `core`. */
  resource?: string;
}

export interface SourceResponse<T = unknown> {
  status: number;
  /** Lower-cased names. */
  headers: Readonly<Record<string, string>>;
  /** Parsed JSON; null for 304 and 204. */
  body: T | null;
  url: string;
  /** ISO instant the response arrived. */
  fetchedAt: string;
}

export interface SourceClient {
  readonly source: SourceKind;
  /** The breaker (and retry) name, e.g. `jira:7`. */
  readonly name: string;
  /** `path` is relative to the base URL, or an absolute URL on the same origin (a `Link` header's next page). */
  /** The body is parsed JSON of unknown shape: each connector checks it (zod or guards) before use. */
  get(path: string, options?: RequestOptions): Promise<SourceResponse>;
  post(path: string, body: unknown, options?: RequestOptions): Promise<SourceResponse>;
}

const DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;

/** Appends `query` to `url`; arrays become repeated parameters, null/undefined are left out. */
export function withQuery(url: string, query: Query | undefined): string {
  if (!query) return url;
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value))
      for (const v of value as readonly (string | number)[]) parsed.searchParams.append(key, String(v));
    else parsed.searchParams.set(key, String(value));
  }
  return parsed.toString();
}

/**
 * Resolves `path` against `baseUrl` keeping the base path (`new URL('/x', base)` would drop it).
 * Absolute URLs must share the base's origin so credentials never leave the configured site.
 */
export function resolveUrl(baseUrl: string, path: string): string {
  if (/^https?:\/\//i.test(path)) {
    const target = new URL(path);
    const base = new URL(baseUrl);
    if (target.origin !== base.origin) {
      throw new Error(
        `refusing to send credentials to ${target.origin}: not the integration's site ${base.origin}`,
      );
    }
    return target.toString();
  }
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The response facts worth keeping on a `SourceRecord`: url, fetch time, remaining quota, etag. */
export function metadataFor(response: SourceResponse): Record<string, unknown> {
  const metadata: Record<string, unknown> = { url: response.url, fetched_at: response.fetchedAt };
  const remaining = response.headers['x-ratelimit-remaining'];
  if (remaining !== undefined) metadata['x-ratelimit-remaining'] = remaining;
  const etag = response.headers.etag;
  if (etag !== undefined) metadata.etag = etag;
  return metadata;
}

/** Creates the HTTP client for one integration: every call goes through beforeRequest → governor → retry → breaker. */
export function createSourceClient(options: SourceClientOptions): SourceClient {
  const { source, governor, breaker, logger } = options;
  const beforeRequest = options.beforeRequest ?? (async (): Promise<void> => undefined);
  const attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const baseSleep = options.retry?.sleep ?? defaultSleep;
  // The retry loop's sleep is the one hook between attempts that runs outside the breaker, so a
  // pause/cancel thrown by beforeRequest neither counts as a target failure nor gets retried.
  const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    await baseSleep(ms, signal);
    await beforeRequest();
  };
  // The whole header value too: Basic auth carries the secret only inside its base64.
  const scrub = createScrubber([...(options.secrets ?? []), options.authorization.replace(/^\S+\s+/, '')]);
  const baseHeaders: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'tributary-extract',
    ...lowerKeys(options.headers),
    authorization: options.authorization,
  };

  async function request(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    callOptions: RequestOptions = {},
  ): Promise<SourceResponse> {
    const url = withQuery(resolveUrl(options.baseUrl, path), callOptions.query);
    const headers: Record<string, string> = { ...baseHeaders, ...lowerKeys(callOptions.headers) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const payload = body === undefined ? undefined : JSON.stringify(body);
    await beforeRequest();
    const retry: RetryOptions = {
      source: breaker.name,
      attemptTimeoutMs,
      logger,
      ...options.retry,
      sleep,
      signal: callOptions.signal ?? options.retry?.signal,
    };
    const attempt = async (signal: AbortSignal | undefined): Promise<SourceResponse> => {
      const res = await guardedRequest(options.guard, {
        method,
        url,
        headers,
        body: payload,
        signal,
        maxResponseBytes: options.maxResponseBytes,
      });
      const responseHeaders = normalizeHeaders(res.headers);
      governor?.observe(responseHeaders);
      options.onResponse?.(res.status, responseHeaders);
      const fetchedAt = new Date().toISOString();
      if (res.status === 304 || res.status === 204) {
        return { status: res.status, headers: responseHeaders, body: null, url, fetchedAt };
      }
      if (
        (res.status < 200 || res.status > 299) &&
        !(callOptions.answerStatuses ?? []).includes(res.status)
      ) {
        // HttpError keeps only a 500-character snippet of the body; it is scrubbed below.
        throw httpErrorFrom({ status: res.status, url, headers: responseHeaders, body: res.text, source });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.text);
      } catch (err) {
        throw new MalformedResponseError(url, err);
      }
      return { status: res.status, headers: responseHeaders, body: parsed, url, fetchedAt };
    };
    try {
      return await resilientCall(
        { governor, breaker, retry, resource: callOptions.resource },
        async ({ signal }) => {
          try {
            return await attempt(signal);
          } catch (error) {
            // Scrubbed before the breaker keeps it as lastError and before retry logs it.
            throw scrubError(error, scrub);
          }
        },
      );
    } catch (error) {
      throw scrubError(error, scrub);
    }
  }

  return {
    source,
    name: breaker.name,
    get: (path, callOptions) => request('GET', path, undefined, callOptions),
    post: (path, body, callOptions) => request('POST', path, body ?? null, callOptions),
  };
}

function lowerKeys(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}
