import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundGuard } from '@tributary/netguard';
import { createBreakerRegistry, UpstreamUnavailableError } from '@tributary/resilience';
import { postWebhook } from './deliver.ts';

// A receiver that is rate limiting for an hour: Retry-After beyond what a delivery waits in-process.
let requests = 0;
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((_request, response) => {
    requests++;
    response.writeHead(429, { 'retry-after': '3600', 'content-type': 'text/plain' }).end('slow down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('postWebhook', () => {
  it("reads the receiver's Retry-After: an hour's wait is not retried in-process, it is handed back with its time", async () => {
    const breaker = createBreakerRegistry().get('webhook:test');
    const guard = createOutboundGuard({ allowPrivateHosts: true });
    const failed = await postWebhook(url, { event: 'job_failed' }, breaker, guard, {
      retries: 3,
      baseMs: 1,
    }).catch((e: unknown) => e);
    assert(
      failed instanceof UpstreamUnavailableError,
      `expected UpstreamUnavailableError, got ${String(failed)}`,
    );
    expect(failed.retryAt?.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    // One attempt: with the headers lost (undici's Headers is not the global class) it was four, 1 ms apart.
    expect(requests).toBe(1);
  });
});
