import { request } from 'undici';
import type { OutboundGuard } from '@tributary/netguard';

/** Most redirects a source call follows; each hop is re-checked at connect like the first. */
export const MAX_REDIRECTS = 3;

/** Default cap on one response body (`SOURCE_MAX_RESPONSE_BYTES`). A Jira or GitHub page is far smaller. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** A source answered more than the cap; the body was cut off, not buffered. Not retryable. */
export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
  readonly code = 'RESPONSE_TOO_LARGE';
  constructor(url: string, maxBytes: number) {
    super(`response from ${url} is larger than ${maxBytes} bytes (SOURCE_MAX_RESPONSE_BYTES); cut off`);
  }
}

/** A redirect we will not follow (another origin, too many hops, no Location). Not retryable. */
export class RedirectRefusedError extends Error {
  override name = 'RedirectRefusedError';
  readonly code = 'REDIRECT_REFUSED';
}

export interface GuardedRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  maxResponseBytes?: number;
}

export interface GuardedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The URL that answered (after redirects). */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * One source call through the outbound guard. Redirects are ours to follow: same origin only (the
 * credentials go with them, and may only go to the configured site), at most `MAX_REDIRECTS`,
 * every hop connecting through the guard again. The body is streamed and cut off at the cap.
 */
export async function guardedRequest(guard: OutboundGuard, init: GuardedRequest): Promise<GuardedResponse> {
  const maxBytes = init.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const origin = new URL(init.url).origin;
  let url = init.url;
  let method = init.method;
  let body = init.body;
  for (let hop = 0; ; hop++) {
    const res = await request(url, {
      method,
      headers: init.headers,
      body,
      signal: init.signal,
      dispatcher: guard.dispatcher,
    });
    if (REDIRECTS.has(res.statusCode)) {
      await res.body.dump();
      const location = res.headers.location;
      if (typeof location !== 'string')
        throw new RedirectRefusedError(`redirect ${res.statusCode} from ${url} without a Location`);
      const next = new URL(location, url);
      if (next.origin !== origin) {
        throw new RedirectRefusedError(
          `redirect to another origin refused (${next.origin}; the integration's site is ${origin})`,
        );
      }
      if (hop >= MAX_REDIRECTS)
        throw new RedirectRefusedError(`more than ${MAX_REDIRECTS} redirects from ${init.url}`);
      // 303, and 301/302 after a POST, continue as a GET without the body (what browsers and fetch do).
      if (
        res.statusCode === 303 ||
        (method === 'POST' && (res.statusCode === 301 || res.statusCode === 302))
      ) {
        method = 'GET';
        body = undefined;
      }
      url = next.toString();
      continue;
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.body.destroy();
      throw new ResponseTooLargeError(url, maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        res.body.destroy();
        throw new ResponseTooLargeError(url, maxBytes);
      }
      chunks.push(chunk);
    }
    return {
      status: res.statusCode,
      headers: res.headers,
      text: Buffer.concat(chunks).toString('utf8'),
      url,
    };
  }
}
