// Finding 4: credentials leaked through error text (invalid header values, echoed bodies, a
// failed query's parameters) into last_test_error, API answers, the unauthenticated GET /breakers
// and logs; a token in a query string was logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreakerRegistry } from '@tributary/resilience';
import {
  ADMIN_TOKEN,
  bearer,
  EXTRACT_TOKEN,
  SERVICE_TOKEN,
  startTestBackend,
  TEST_INTEGRATIONS,
  type TestBackend,
} from '../support/backend.ts';
import { buildSourceClient } from '../../services/extract/src/connectors/index.ts';
import { startServer, startTestExtract, type TestExtract } from './support.ts';

const TOKEN = 'ghp_SuperSecretToken0123456789';
const JIRA_TOKEN = 'ATATT3xSecretJiraToken42';

let backend: TestBackend;
let extract: TestExtract;
let tenant: { id: number; token: string };
let echo: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  extract = await startTestExtract({ allowPrivateHosts: true });
  backend = await startTestBackend({ EXTRACT_URL: extract.url, SCHEDULER_ENABLED: 'false' });
  tenant = await backend.createTenant();
  // An upstream that echoes the request headers in its error body, as some proxies do.
  echo = await startServer((req, res) => {
    res
      .writeHead(500, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'upstream failed', headers: req.headers }));
  });
});
afterAll(async () => {
  await backend.close();
  await extract.close();
  await echo.close();
});

const everything = () => backend.logs.join('\n');

describe('credentials are header-safe on input', () => {
  it.each([
    ['github', { token: `${TOKEN}\r\nX-Injected: 1` }, 'credentials.token'],
    ['github', { token: `${TOKEN}\u0000` }, 'credentials.token'],
    ['github', { tokens: ['sim-github-token', `${TOKEN}\r\nX-Injected: 1`] }, 'credentials.tokens.1'],
    ['github', { tokens: [`${TOKEN}\u0000`] }, 'credentials.tokens.0'],
    ['jira', { email: 'a@b.co', api_token: `${JIRA_TOKEN}\n` }, 'credentials.api_token'],
    ['jira', { email: 'a@b.co', api_token: `${JIRA_TOKEN}\u0000x` }, 'credentials.api_token'],
  ] as const)(
    'a %s secret with control characters answers 400 naming %s, and never reaches a log',
    async (type, credentials, path) => {
      const response = await backend.app.inject({
        method: 'POST',
        url: '/api/v1/integrations',
        headers: bearer(tenant.token),
        payload: { ...TEST_INTEGRATIONS[type], credentials },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe(path);
      expect(response.body).not.toContain(TOKEN);
      expect(response.body).not.toContain(JIRA_TOKEN);
      expect(everything()).not.toContain(TOKEN);
      expect(everything()).not.toContain(JIRA_TOKEN);
    },
  );

  it('a NUL elsewhere in the body answers 400 naming the field, not a 500 whose log prints the parameters', async () => {
    const response = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: bearer(tenant.token),
      payload: {
        ...TEST_INTEGRATIONS.jira,
        name: 'x\u0000y',
        credentials: { email: 'a@b.co', api_token: JIRA_TOKEN },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe('name');
    expect(everything()).not.toContain(JIRA_TOKEN);
  });

  it('the extract service refuses them too, naming the field', async () => {
    const response = await extract.app.inject({
      method: 'POST',
      url: '/internal/connection-test',
      headers: bearer(EXTRACT_TOKEN),
      payload: {
        id: 1,
        type: 'github',
        base_url: echo.url,
        credentials: { token: `${TOKEN}\r\n` },
        config: { repositories: ['a/b'] },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(
      /^invalid credentials\.token/,
    );
    expect(response.body).not.toContain(TOKEN);
  });
});

describe('secrets are scrubbed by value from errors', () => {
  it("an upstream body echoing the token leaves it in neither the error, its body snippet, nor the breaker's last error", async () => {
    const registry = createBreakerRegistry();
    try {
      for (const integration of [
        {
          type: 'github' as const,
          id: 901,
          baseUrl: echo.url,
          credentials: { token: TOKEN },
          config: { repositories: ['a/b'] },
        },
        {
          type: 'jira' as const,
          id: 902,
          baseUrl: echo.url,
          credentials: { email: 'me@corp.example', api_token: JIRA_TOKEN },
          config: { projects: ['A'] },
        },
      ]) {
        const client = buildSourceClient(integration, {
          registry,
          guard: extract.guard,
          retry: { retries: 0 },
        });
        const thrown = await client.get('/user').then(
          () => null,
          (e: unknown) => e as Error,
        );
        // The retry give-up wraps the HTTP error; both are what callers store and log.
        const error = thrown?.cause as (Error & { bodySnippet: string }) | undefined;
        expect(error?.bodySnippet).toContain('upstream failed');
        expect(thrown?.message).toContain('HTTP 500');
        const basic = Buffer.from(`me@corp.example:${JIRA_TOKEN}`).toString('base64');
        const texts = [
          thrown?.message ?? '',
          thrown?.stack ?? '',
          error?.message ?? '',
          error?.bodySnippet ?? '',
          JSON.stringify(registry.status()),
        ];
        for (const text of texts) {
          expect(text).not.toContain(TOKEN);
          expect(text).not.toContain(JIRA_TOKEN);
          expect(text).not.toContain(basic);
        }
        expect(error?.bodySnippet).toContain('[secret]');
      }
    } finally {
      registry.shutdown();
    }
  });

  it('a connection test against it stores and answers no secret', async () => {
    const id = await backend.createIntegration(tenant.token, 'github', {
      base_url: echo.url,
      credentials: { token: TOKEN },
    });
    const tested = await backend.app.inject({
      method: 'POST',
      url: `/api/v1/integrations/${id}/test`,
      headers: bearer(tenant.token),
    });
    expect(tested.json()).toMatchObject({ ok: false, error: 'HTTP 500 from the source' });
    const { rows } = await backend.pool.query<{ last_test_error: string }>(
      'select last_test_error from integrations where id = $1',
      [id],
    );
    expect(rows[0]!.last_test_error).toBe('HTTP 500 from the source');
    const breakers = await extract.app.inject({
      method: 'GET',
      url: '/breakers',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(breakers.body).not.toContain(TOKEN);
  });
});

describe('breakers are not public', () => {
  it('GET /breakers and resets need the backend or admin token; a tenant sees its own integration through the backend', async () => {
    expect((await extract.app.inject({ method: 'GET', url: '/breakers' })).statusCode).toBe(401);
    expect(
      (await extract.app.inject({ method: 'GET', url: '/breakers', headers: bearer(SERVICE_TOKEN) }))
        .statusCode,
    ).toBe(401);
    expect(
      (await extract.app.inject({ method: 'GET', url: '/breakers', headers: bearer(tenant.token) }))
        .statusCode,
    ).toBe(401);
    expect((await extract.app.inject({ method: 'POST', url: '/breakers/github:1/reset' })).statusCode).toBe(
      401,
    );
    expect(
      (await extract.app.inject({ method: 'GET', url: '/breakers', headers: bearer(EXTRACT_TOKEN) }))
        .statusCode,
    ).toBe(200);

    const id = await backend.createIntegration(tenant.token, 'github', {
      base_url: echo.url,
      credentials: { token: TOKEN },
    });
    await backend.app.inject({
      method: 'POST',
      url: `/api/v1/integrations/${id}/test`,
      headers: bearer(tenant.token),
    });
    const mine = await backend.app.inject({
      method: 'GET',
      url: `/api/v1/integrations/${id}/breaker`,
      headers: bearer(tenant.token),
    });
    expect(mine.json()).toMatchObject({
      extract_reachable: true,
      breaker: { name: `github:${id}`, state: 'CLOSED' },
    });
    const other = await backend.createTenant('other');
    const theirs = await backend.app.inject({
      method: 'GET',
      url: `/api/v1/integrations/${id}/breaker`,
      headers: bearer(other.token),
    });
    expect(theirs.statusCode).toBe(404);
  });
});

describe('query strings are not logged', () => {
  it('a token sent in the query string does not reach the log', async () => {
    await backend.app.inject({
      method: 'GET',
      url: `/api/v1/jobs?access_token=${TOKEN}&token=${TOKEN}`,
      headers: bearer(tenant.token),
    });
    await backend.app.inject({ method: 'GET', url: `/api/v1/nowhere?token=${TOKEN}` });
    expect(everything()).toContain('/api/v1/jobs');
    expect(everything()).not.toContain(TOKEN);
  });
});
