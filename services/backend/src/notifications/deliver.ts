import { fetch } from 'undici';
import type { OutboundGuard } from '@tributary/netguard';
import { resilientCall, httpErrorFrom, isRetryable, type Breaker } from '@tributary/resilience';

export interface WebhookAnswer {
  status: number;
  attempts: number;
}

/**
 * POSTs one notification: its own breaker per target (a dead receiver is not hammered,
 * and never slows anything else), retries with backoff and jitter on 5xx / 429 /
 * network errors, a deadline per attempt. Never follows redirects: the URL that
 * passed the outbound policy is the one called. The connection goes through the outbound guard
 * (@tributary/netguard): the host is resolved once, at connect, every address checked, and the
 * socket goes to a checked address — a name that rebinds after the policy check reaches nothing.
 */
export async function postWebhook(
  url: string,
  body: unknown,
  breaker: Breaker,
  guard: OutboundGuard,
  options: { retries?: number; baseMs?: number; attemptTimeoutMs?: number } = {},
): Promise<WebhookAnswer> {
  let attempts = 0;
  const status = await resilientCall(
    {
      breaker,
      retry: {
        source: breaker.name,
        retries: options.retries ?? 3,
        baseMs: options.baseMs ?? 500,
        capMs: 10_000,
        attemptTimeoutMs: options.attemptTimeoutMs ?? 5_000,
        // An address the guard refused stays refused: no second attempt.
        isRetryable: (error) => !refusedByGuard(error) && isRetryable(error),
      },
    },
    async ({ signal }) => {
      attempts += 1;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'tributary-notifications' },
        body: JSON.stringify(body),
        redirect: 'manual',
        dispatcher: guard.dispatcher,
        ...(signal ? { signal } : {}),
      }).catch((error: unknown) => {
        // "fetch failed" says nothing: a refusal is recorded as the guard's own reason.
        throw refusalIn(error) ?? error;
      });
      const text = await response.text().catch(() => '');
      if (response.status < 200 || response.status > 299) {
        throw httpErrorFrom({
          status: response.status,
          url,
          // undici's Headers is not the global class normalizeHeaders checks with instanceof: pass a plain object.
          headers: Object.fromEntries(response.headers),
          body: text,
          source: breaker.name,
        });
      }
      return response.status;
    },
  );
  return { status, attempts };
}

/** The guard's refusal inside an error (fetch wraps the connector's error as its cause), if any. */
function refusalIn(error: unknown): Error | undefined {
  for (let link: unknown = error; link; link = (link as { cause?: unknown }).cause) {
    if ((link as { code?: unknown }).code === 'OUTBOUND_REFUSED') return link as Error;
  }
  return undefined;
}

const refusedByGuard = (error: unknown): boolean => refusalIn(error) !== undefined;
