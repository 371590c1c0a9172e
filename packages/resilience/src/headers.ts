/** Response headers as fetch gives them (`Headers`) or as a plain object (node:http, tests). */
export type HeaderInput = Headers | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** Lower-cased name → value (multi-valued headers joined with ", "). */
export type HeaderMap = Readonly<Record<string, string>>;

/** Normalizes headers to a plain object with lower-case names, so lookups ignore case. */
export function normalizeHeaders(headers: HeaderInput | undefined): HeaderMap {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return out;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] =
      typeof value === 'number' ? String(value) : typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}

function toNumber(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : null;
}

/**
 * Parses `Retry-After` (or Jira's `Beta-Retry-After`): delta seconds or an HTTP date.
 * Returns milliseconds from `now` (never negative), or null when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Parses a rate-limit reset header to an epoch-ms instant. GitHub sends epoch seconds
 * (`x-ratelimit-reset: 1700000000`), Jira sends an ISO 8601 timestamp; both share the name.
 */
export function parseResetAt(value: string | undefined): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : at;
}

/** What the rate-limit headers of one response say. All fields null when absent. */
export interface RateLimitInfo {
  limit: number | null;
  remaining: number | null;
  /** Epoch ms at which the quota refills. */
  resetAt: number | null;
  /** From `Retry-After`, else Jira's `Beta-Retry-After`. */
  retryAfterMs: number | null;
}

/** Reads `x-ratelimit-limit/remaining/reset`, `Retry-After` and `Beta-Retry-After`. */
export function readRateLimit(
  headers: HeaderInput | HeaderMap | undefined,
  now: number = Date.now(),
): RateLimitInfo {
  const h = normalizeHeaders(headers);
  return {
    limit: toNumber(h['x-ratelimit-limit']),
    remaining: toNumber(h['x-ratelimit-remaining']),
    resetAt: parseResetAt(h['x-ratelimit-reset']),
    retryAfterMs: parseRetryAfter(h['retry-after'], now) ?? parseRetryAfter(h['beta-retry-after'], now),
  };
}

/**
 * How long the server asked us to wait before the next request, or null when it said nothing.
 * `Retry-After` wins; otherwise the quota reset counts when the quota is spent (remaining 0,
 * or a 429, which Jira answers with `X-RateLimit-Reset` but not always a remaining count).
 */
export function serverWaitMs(
  headers: HeaderInput | HeaderMap | undefined,
  status: number | undefined,
  now: number = Date.now(),
): number | null {
  const info = readRateLimit(headers, now);
  if (info.retryAfterMs !== null) return info.retryAfterMs;
  if (info.resetAt !== null && (info.remaining === 0 || status === 429))
    return Math.max(0, info.resetAt - now);
  return null;
}
