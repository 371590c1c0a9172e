import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { ZodError, z } from 'zod';
import {
  CredentialsRejectedError,
  HttpError,
  RateLimitedError,
  UpstreamUnavailableError,
} from '@tributary/resilience';
import { freePort } from '../../../../scripts/stack.ts';
import { classifyError, scrub, secretsOf, sourceMessage } from './classify.ts';
import { ScopeCheckError } from './scope-check.ts';
import { like } from '../../../../tests/support/matchers.ts';

// Bodies as Jira Cloud and GitHub document them.
const JIRA_400 = JSON.stringify({
  errorMessages: ["The value 'NOPE' does not exist for the field 'project'."],
  errors: {},
});
const JIRA_FIELD_ERRORS = JSON.stringify({
  errorMessages: [],
  errors: { jql: 'Error in the JQL Query: Expecting operator' },
});
const GITHUB_404 = JSON.stringify({
  message: 'Not Found',
  documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
  status: '404',
});
const GITHUB_422 = JSON.stringify({
  message: 'Validation Failed',
  errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
});

const http = (status: number, body: string, source = 'jira') =>
  new HttpError({
    status,
    url: 'https://acme.atlassian.net/rest/api/3/search/jql?jql=project%3DNOPE',
    body,
    source,
  });

describe('the source says why', () => {
  it('reads Jira errorMessages and field errors, and GitHub message and errors', () => {
    expect(sourceMessage(JIRA_400)).toBe("The value 'NOPE' does not exist for the field 'project'.");
    expect(sourceMessage(JIRA_FIELD_ERRORS)).toBe('jql: Error in the JQL Query: Expecting operator');
    expect(sourceMessage(GITHUB_404)).toBe('Not Found');
    expect(sourceMessage(GITHUB_422)).toBe('Validation Failed; title: missing_field');
    expect(sourceMessage('<html>oops</html>')).toBeNull();
    // A body cut at the snippet length still gives its message.
    expect(sourceMessage(JIRA_400.slice(0, 60))).toMatch(/^The value 'NOPE' does not ex/);
  });

  it('a missing Jira project is CONFIG_INVALID, not retryable, with Jira’s words', () => {
    expect(classifyError(http(400, JIRA_400))).toEqual({
      code: 'CONFIG_INVALID',
      message:
        "jira: HTTP 400 from acme.atlassian.net/rest/api/3/search/jql: The value 'NOPE' does not exist for the field 'project'.",
      retryable: false,
    });
    expect(classifyError(http(404, GITHUB_404, 'github'))).toMatchObject({
      code: 'CONFIG_INVALID',
      retryable: false,
      message: like(': Not Found'),
    });
    expect(
      classifyError(http(403, '{"message":"Resource not accessible by integration"}', 'github')),
    ).toMatchObject({
      code: 'CONFIG_INVALID',
      retryable: false,
    });
  });

  it('rejected credentials, rate limits, server errors and give-ups get their own codes', () => {
    const rejected = new CredentialsRejectedError({
      url: 'https://api.github.com/user',
      body: '{"message":"Bad credentials"}',
      source: 'github',
    });
    expect(classifyError(rejected)).toEqual({
      code: 'CREDENTIALS_REJECTED',
      message: 'credentials rejected by github (HTTP 401): Bad credentials',
      retryable: false,
    });
    const limited = new RateLimitedError(
      { status: 429, url: 'https://api.github.com/x', headers: { 'retry-after': '30' }, source: 'github' },
      0,
    );
    expect(classifyError(limited)).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      message: like('until 1970-01-01T00:00:30.000Z'),
    });
    expect(classifyError(http(502, 'bad gateway'))).toMatchObject({ code: 'SOURCE_ERROR', retryable: true });
    const gaveUp = new UpstreamUnavailableError({
      source: 'jira:7',
      attempts: 5,
      reason: 'retries-exhausted',
      cause: http(503, '{"errorMessages":["Service unavailable"]}'),
    });
    expect(classifyError(gaveUp)).toMatchObject({
      code: 'SOURCE_ERROR',
      retryable: true,
      message: like(/HTTP 503 .*Service unavailable \(after 5 attempts\)$/),
    });
  });

  it('settings of the wrong shape and unreadable scopes are CONFIG_INVALID naming what is wrong', () => {
    const parsed = z.object({ projects: z.array(z.string()) }).safeParse({ projects: 'A' });
    expect(parsed.error).toBeInstanceOf(ZodError);
    expect(classifyError(parsed.error)).toMatchObject({
      code: 'CONFIG_INVALID',
      retryable: false,
      message: like('projects'),
    });
    const scopes = new ScopeCheckError('github repositories that cannot be read', [
      { scope: 'acme/one', reason: 'not found, or not visible to this token' },
      { scope: 'acme/two', reason: 'no permission' },
    ]);
    expect(classifyError(scopes, { source: 'github' }).message).toBe(
      'github: github repositories that cannot be read: acme/one (not found, or not visible to this token); acme/two (no permission)',
    );
  });
});

describe('network failures told apart (real sockets)', () => {
  let tlsless: Server;
  let silent: Server;
  let plainPort: number;
  let silentPort: number;
  beforeAll(async () => {
    // Answers plain HTTP to a TLS client hello: the TLS handshake fails.
    tlsless = createServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')),
    );
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => tlsless.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    plainPort = (tlsless.address() as { port: number }).port;
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(() => {
    tlsless.close();
    silent.close();
  });

  const failure = async (url: string, init?: RequestInit) => {
    try {
      await fetch(url, init);
    } catch (error) {
      return classifyError(error, { source: 'jira', baseUrl: url });
    }
    throw new Error('fetch succeeded');
  };

  it('DNS', async () => {
    const result = await failure('http://no-such-host.invalid/');
    expect(result.code).toBe('SOURCE_UNREACHABLE');
    expect(result.message).toMatch(
      /^jira: DNS lookup of no-such-host\.invalid failed \((ENOTFOUND|EAI_AGAIN)\)/,
    );
  });

  it('connection refused', async () => {
    const port = await freePort();
    expect(await failure(`http://127.0.0.1:${port}/`)).toMatchObject({
      code: 'SOURCE_UNREACHABLE',
      message: like(new RegExp(`^jira: connection to 127\\.0\\.0\\.1:${port} refused \\(ECONNREFUSED\\)`)),
    });
  });

  it('TLS', async () => {
    expect(await failure(`https://127.0.0.1:${plainPort}/`)).toMatchObject({
      code: 'SOURCE_UNREACHABLE',
      message: like(/^jira: TLS handshake with 127\.0\.0\.1:\d+ failed \(ERR_SSL_/),
    });
  });

  it('timeout', async () => {
    expect(await failure(`http://127.0.0.1:${silentPort}/`, { signal: AbortSignal.timeout(200) })).toEqual({
      code: 'SOURCE_UNREACHABLE',
      message: `jira: 127.0.0.1:${silentPort} did not answer in time (request timed out)`,
      retryable: true,
    });
  });
});

describe('secrets never reach a message', () => {
  it('scrubs each credential value, the Basic header made of them, and bearer tokens; and truncates', () => {
    const credentials = { email: 'ops@acme.example', api_token: 'ATATT3xFfGF0-secret-value' };
    const basic = Buffer.from('ops@acme.example:ATATT3xFfGF0-secret-value').toString('base64');
    const text = `rejected ATATT3xFfGF0-secret-value for ops@acme.example, header Basic ${basic}, also Bearer ghp_abcdefghijklmnop1234`;
    const out = scrub(text, secretsOf(credentials));
    expect(out).not.toContain('ATATT3xFfGF0');
    expect(out).not.toContain(basic);
    expect(out).not.toContain('ghp_abcdefghijklmnop1234');
    expect(out).toBe('rejected [redacted] for [redacted], header Basic [redacted], also Bearer [redacted]');
    expect(scrub('x'.repeat(1000), []).length).toBe(600);
    const leaked = http(
      400,
      JSON.stringify({ errorMessages: ['token ATATT3xFfGF0-secret-value is not allowed'] }),
    );
    expect(classifyError(leaked, { secrets: secretsOf(credentials) }).message).toContain(
      'token [redacted] is not allowed',
    );
  });
});
