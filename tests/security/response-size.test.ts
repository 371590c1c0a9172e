// Finding 7: an upstream answer of any size was buffered whole (400 MB took the extractor to
// 1.79 GB RSS despite its 128 MB heap cap).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreakerRegistry, type BreakerRegistry } from '@tributary/resilience';
import { createSourceClient } from '../../services/extract/src/http/source-client.ts';
import { ResponseTooLargeError } from '../../services/extract/src/http/guarded-request.ts';
import { EXTRACT_TOKEN } from '../support/backend.ts';
import { startServer, startTestExtract, type TestExtract } from './support.ts';

const MB = 1024 * 1024;
let server: Awaited<ReturnType<typeof startServer>>;
let extract: TestExtract;
let registry: BreakerRegistry;
/** How many bytes the server managed to write before the client went away. */
let written = 0;

beforeAll(async () => {
  server = await startServer((req, res) => {
    written = 0;
    const chunked = req.url?.startsWith('/chunked');
    // 64 MB of JSON-ish text, in 64 KB writes; without a length when chunked.
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(chunked ? {} : { 'content-length': String(64 * MB) }),
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (written < 64 * MB) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => undefined);
    pump();
  });
  extract = await startTestExtract({ allowPrivateHosts: true });
  registry = createBreakerRegistry();
});
afterAll(async () => {
  registry.shutdown();
  await extract.close();
  await server.close();
});

describe('response size cap', () => {
  it.each(['/declared', '/chunked'])(
    'a body over the cap (%s) is cut off with a clear error, not buffered',
    async (path) => {
      const client = createSourceClient({
        source: 'github',
        baseUrl: server.url,
        authorization: 'Bearer x',
        breaker: registry.get(`size${path}`),
        guard: extract.guard,
        maxResponseBytes: 1 * MB,
        retry: { retries: 0 },
      });
      const error = await client.get(path).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect((error as Error).message).toMatch(
        /larger than 1048576 bytes \(SOURCE_MAX_RESPONSE_BYTES\); cut off/,
      );
      // The client stopped reading long before the 64 MB were sent.
      expect(written).toBeLessThan(64 * MB);
    },
  );

  it('the connection test names the category', async () => {
    const response = await extract.app.inject({
      method: 'POST',
      url: '/internal/connection-test',
      headers: { authorization: `Bearer ${EXTRACT_TOKEN}` },
      payload: {
        id: 5,
        type: 'github',
        base_url: `${server.url}/chunked`,
        credentials: { token: 'tok' },
        config: { repositories: ['a/b'] },
      },
    });
    // The default cap is 32 MB; 64 MB are refused.
    const answer = response.json<{ ok: boolean; error: string }>();
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(/^response too large: /);
  });
});
