/**
 * Turns whatever stopped a run or a connection test into something a person can
 * act on: a code, the source's own words (Jira `errorMessages`/`errors`, GitHub
 * `message`), truncated and with the integration's secrets scrubbed, and whether
 * an automatic retry could help at all (a missing project or a rejected token
 * will still be missing or rejected in ten minutes).
 */
import { ZodError } from 'zod';
import {
  BreakerOpenError,
  CredentialsRejectedError,
  HttpError,
  MalformedResponseError,
  RateLimitedError,
  UpstreamUnavailableError,
} from '@tributary/resilience';
import { formatIssues, type JobErrorCode } from '@tributary/contracts';
import { ScopeCheckError } from './scope-check.ts';
import { OutboundRefusedError } from '@tributary/netguard';
import { RedirectRefusedError, ResponseTooLargeError } from '../http/guarded-request.ts';

export interface ClassifiedError {
  code: JobErrorCode;
  message: string;
  /** False when only a change of configuration or credentials can fix it. */
  retryable: boolean;
}

/** Longest message kept on a job or a connection test (the source's text can be long). */
export const MAX_MESSAGE_CHARS = 600;
const SOURCE_TEXT_CHARS = 300;

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const REFUSED_CODES = new Set(['ECONNREFUSED']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
const UNREACHABLE_CODES = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EHOSTDOWN']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_|HOSTNAME_MISMATCH)/;

function prop(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The error and its causes, outermost first (fetch hides the socket error two levels down). */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    out.push(current);
    current = prop(current, 'cause');
  }
  return out;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * The source's own explanation in an error body: Jira `{ errorMessages: [], errors: { field: msg } }`,
 * GitHub `{ message, errors: [{ message | code, field }] }`. Null when the body says nothing usable.
 */
export function sourceMessage(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // The body may have been cut at the snippet length: take a "message" string if one survived.
    const match = /"(?:message|errorMessages)"\s*:\s*\[?\s*"((?:[^"\\]|\\.)*)"?/.exec(body);
    return match ? match[1]!.replace(/\\(.)/g, '$1') : null;
  }
  const parts: string[] = [];
  const messages = prop(parsed, 'errorMessages');
  if (Array.isArray(messages)) parts.push(...messages.filter(isString));
  const errors = prop(parsed, 'errors');
  if (errors && typeof errors === 'object' && !Array.isArray(errors)) {
    for (const [field, text] of Object.entries(errors as Record<string, unknown>))
      if (isString(text)) parts.push(`${field}: ${text}`);
  }
  const message = prop(parsed, 'message');
  if (isString(message)) parts.unshift(message);
  if (Array.isArray(errors)) {
    for (const entry of errors) {
      const text = prop(entry, 'message') ?? prop(entry, 'code');
      const field = prop(entry, 'field');
      if (isString(text)) parts.push(isString(field) ? `${field}: ${text}` : text);
    }
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/** The values that must never appear in a message: each credential, and the Basic header made from them. */
export function secretsOf(credentials: unknown): string[] {
  const secrets: string[] = [];
  if (credentials && typeof credentials === 'object') {
    const values = Object.values(credentials as Record<string, unknown>).filter(isString);
    secrets.push(...values);
    const email = prop(credentials, 'email');
    const token = prop(credentials, 'api_token');
    if (isString(email) && isString(token)) secrets.push(Buffer.from(`${email}:${token}`).toString('base64'));
  }
  // Short values (an e-mail's local part, say) would blank out ordinary words.
  return secrets.filter((secret) => secret.length >= 6);
}

/** Replaces every secret value, and bearer/basic header values, with `[redacted]`; cuts to the length limit. */
export function scrub(text: string, secrets: readonly string[], limit = MAX_MESSAGE_CHARS): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length))
    out = out.split(secret).join('[redacted]');
  out = out.replace(/\b(Bearer|Basic|token)\s+[A-Za-z0-9._~+/=-]{12,}/gi, '$1 [redacted]');
  return out.length > limit ? `${out.slice(0, limit - 1)}…` : out;
}

const pathOf = (url: string) => {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return url;
  }
};

const hostOf = (error: unknown, fallback: string | undefined) => {
  for (const link of chain(error)) {
    const host = prop(link, 'hostname') ?? prop(link, 'host');
    const port = prop(link, 'port');
    if (isString(host)) return typeof port === 'number' || isString(port) ? `${host}:${port}` : host;
  }
  return fallback ?? 'the host';
};

/** What went wrong on the network, told apart: DNS, refused, TLS, timeout, reset, unreachable. Null if not a network error. */
export function describeNetworkError(error: unknown, target?: string): string | null {
  for (const link of chain(error)) {
    const code = prop(link, 'code');
    const name = prop(link, 'name');
    const where = hostOf(error, target);
    if (isString(code)) {
      if (DNS_CODES.has(code))
        return `DNS lookup of ${where} failed (${code}): no such host, or no DNS answer`;
      if (REFUSED_CODES.has(code)) return `connection to ${where} refused (${code}): nothing listens there`;
      if (TLS_CODE.test(code)) {
        // Node adds advice for its own command line ("try running Node.js with --use-system-ca"), which a user of ours cannot act on.
        const said = isString(prop(link, 'message'))
          ? String(prop(link, 'message')).replace(/;\s*if the root CA is installed locally.*$/s, '')
          : '';
        return `TLS handshake with ${where} failed (${code})${said ? `: ${said}` : ''}`;
      }
      if (TIMEOUT_CODES.has(code)) return `${where} did not answer in time (${code})`;
      if (RESET_CODES.has(code)) return `connection to ${where} was dropped (${code})`;
      if (UNREACHABLE_CODES.has(code)) return `${where} is unreachable from here (${code})`;
    }
    if (name === 'TimeoutError' || name === 'AbortError')
      return `${where} did not answer in time (request timed out)`;
  }
  return null;
}

interface Context {
  /** e.g. `jira`, `github` (or the breaker name `jira:7`). */
  source?: string;
  /** The integration's base URL, to name the host when the error does not. */
  baseUrl?: string;
  secrets?: readonly string[];
}

function classifyHttp(error: HttpError, context: Context): ClassifiedError {
  const said = sourceMessage(error.bodySnippet);
  const words = said ? `: ${said.slice(0, SOURCE_TEXT_CHARS)}` : '';
  const where = `${error.source ?? context.source ?? 'source'}: HTTP ${error.status} from ${pathOf(error.url)}`;
  if (error instanceof CredentialsRejectedError || error.status === 401) {
    return {
      code: 'CREDENTIALS_REJECTED',
      message: `credentials rejected by ${error.source ?? context.source ?? 'the source'} (HTTP ${error.status})${words}`,
      retryable: false,
    };
  }
  if (error instanceof RateLimitedError || error.status === 429) {
    const until =
      error instanceof RateLimitedError && error.retryAt ? ` until ${error.retryAt.toISOString()}` : '';
    return { code: 'RATE_LIMITED', message: `${where}: rate limited${until}${words}`, retryable: true };
  }
  if (error.status >= 400 && error.status < 500 && error.status !== 408) {
    // 400 bad JQL / unknown project, 403 no permission, 404 missing repository, 410 API gone:
    // the same request will get the same answer until someone changes the configuration.
    return {
      code: 'CONFIG_INVALID',
      message: `${where}${words || ` (${error.status === 403 ? 'no permission' : 'not found or not allowed'})`}`,
      retryable: false,
    };
  }
  return { code: 'SOURCE_ERROR', message: `${where}${words}`, retryable: true };
}

/** Classifies an error from a source call, a connector, or the integration's own settings. */
export function classifyError(error: unknown, context: Context = {}): ClassifiedError {
  const secrets = context.secrets ?? [];
  const result = classifyUnscrubbed(error, context);
  return { ...result, message: scrub(result.message, secrets) };
}

function classifyUnscrubbed(error: unknown, context: Context): ClassifiedError {
  const target = context.baseUrl ? safeHost(context.baseUrl) : undefined;
  const source = context.source ?? 'source';
  if (error instanceof ZodError) {
    return {
      code: 'CONFIG_INVALID',
      message: `integration settings invalid: ${formatIssues(error.issues)}`,
      retryable: false,
    };
  }
  if (error instanceof ScopeCheckError)
    return { code: 'CONFIG_INVALID', message: `${source}: ${error.message}`, retryable: false };
  // The outbound policy refused the address (or a redirect): only a change of base_url or of the
  // operator's allowlist helps. A response over SOURCE_MAX_RESPONSE_BYTES will be as large next time.
  for (const link of chain(error)) {
    if (link instanceof OutboundRefusedError || link instanceof RedirectRefusedError)
      return {
        code: 'CONFIG_INVALID',
        message: `${source}: refused by policy: ${link.message}`,
        retryable: false,
      };
    if (link instanceof ResponseTooLargeError)
      return {
        code: 'SOURCE_ERROR',
        message: `${source}: response too large: ${link.message}`,
        retryable: false,
      };
  }
  // A give-up wraps the last attempt's error: classify that, and say it was retried.
  if (error instanceof UpstreamUnavailableError) {
    const inner = classifyUnscrubbed(error.cause, context);
    return {
      ...inner,
      message: `${inner.message} (after ${error.attempts} attempt${error.attempts === 1 ? '' : 's'})`,
      retryable: true,
    };
  }
  if (error instanceof BreakerOpenError) {
    return {
      code: 'SOURCE_UNREACHABLE',
      message: `${source}: circuit breaker ${error.breakerName} open after repeated failures, calls paused until ${error.retryAt.toISOString()}`,
      retryable: true,
    };
  }
  for (const link of chain(error)) if (link instanceof HttpError) return classifyHttp(link, context);
  const network = describeNetworkError(error, target);
  if (network) return { code: 'SOURCE_UNREACHABLE', message: `${source}: ${network}`, retryable: true };
  if (error instanceof MalformedResponseError)
    return { code: 'SOURCE_ERROR', message: `${source}: ${error.message}`, retryable: true };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'SOURCE_ERROR', message: `${source}: ${message}`, retryable: true };
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
