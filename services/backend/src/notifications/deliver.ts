import { resilientCall, httpErrorFrom, type Breaker } from '@tributary/resilience';

export interface WebhookAnswer {
  status: number;
  attempts: number;
}

/**
 * POSTs one notification: its own breaker per target (a dead receiver is not hammered,
 * and never slows anything else), retries with backoff and jitter on 5xx / 429 /
 * network errors, a deadline per attempt. Never follows redirects: the URL that
 * passed the outbound policy is the one called.
 */
export async function postWebhook(
  url: string,
  body: unknown,
  breaker: Breaker,
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
      },
    },
    async ({ signal }) => {
      attempts += 1;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'tributary-notifications' },
        body: JSON.stringify(body),
        redirect: 'manual',
        ...(signal ? { signal } : {}),
      });
      const text = await response.text().catch(() => '');
      if (response.status < 200 || response.status > 299) {
        throw httpErrorFrom({
          status: response.status,
          url,
          headers: response.headers,
          body: text,
          source: breaker.name,
        });
      }
      return response.status;
    },
  );
  return { status, attempts };
}
