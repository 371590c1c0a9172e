import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@tributary/observability';
import { QueueConnection } from '@tributary/queue';
import { createBreakerRegistry, createGovernor } from '@tributary/resilience';
import { buildExtractApp } from '../../../extract/src/app.ts';
import { BackendClient } from '../../../extract/src/backend-client.ts';
import { bearer, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { simulatorGuard } from '../../../extract/src/http/testing.ts';
import { PUBLIC_ADDRESS, stagedResolver, TEST_HOST } from '../../../../tests/security/support.ts';
import { createOutboundGuard, type OutboundGuard } from '@tributary/netguard';
import { readSourceBreakers, runNotifications } from './notifier.ts';

const logger = createLogger('test', { level: 'silent' });
const EXTRACT_TOKEN = 'notify-extract-token-0123';
let backend: TestBackend;
let tenant: { id: number; token: string };
let integrationId: number;
let receiver: Server;
let receiverUrl: string;
let received: { path: string; body: unknown }[] = [];
/** Statuses the receiver answers with, in order; 200 once they run out. */
let answers: number[] = [];
let extract: FastifyInstance;
let extractUrl: string;
const extractBreakers = createBreakerRegistry({ logger });
/** The delivery guard of a development backend (ALLOW_PRIVATE_INTEGRATION_HOSTS=true): the receiver is on loopback. */
const guard = createOutboundGuard({ allowPrivateHosts: true });

beforeAll(async () => {
  backend = await startTestBackend();
  tenant = await backend.createTenant('notify');
  integrationId = await backend.createIntegration(tenant.token, 'jira', { name: 'Team Jira' });
  receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: JSON.parse(text) as unknown });
      response.statusCode = answers.shift() ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  // The real extract app, whose GET /breakers the notifier reads.
  extract = buildExtractApp({
    logger,
    extractToken: EXTRACT_TOKEN,
    guard: simulatorGuard,
    breakers: extractBreakers,
    backend: new BackendClient({
      baseUrl: 'http://127.0.0.1:1',
      serviceToken: 'x',
      breaker: extractBreakers.get('backend'),
    }),
    connection: new QueueConnection({ url: 'amqp://127.0.0.1:1', logger }),
    governorFor: () => createGovernor({ concurrency: 1 }),
  });
  extractUrl = await extract.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await extract?.close();
  await guard.close();
  receiver?.close();
  await backend?.close();
});

beforeEach(() => {
  received = [];
  answers = [];
});

const deps = () => ({
  pool: backend.pool,
  urlPolicy: { hostAllowlist: [], allowPrivateHosts: true },
  guard,
  // As the backend reads them (app.ts): with the extract token, which GET /breakers requires.
  sourceBreakers: () => readSourceBreakers(extractUrl, EXTRACT_TOKEN),
  logger,
  retry: { retries: 2, baseMs: 10, attemptTimeoutMs: 1000 },
});

async function addTarget(body: Record<string, unknown>) {
  const response = await backend.app.inject({
    method: 'POST',
    url: '/api/v1/notification-targets',
    headers: bearer(tenant.token),
    payload: body,
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: number }>().id;
}

async function deliveries(targetId: number) {
  const response = await backend.app.inject({
    method: 'GET',
    url: `/api/v1/notification-targets/${targetId}/deliveries`,
    headers: bearer(tenant.token),
  });
  return response.json<{
    deliveries: {
      event: string;
      status: string;
      attempts: number;
      response_status: number | null;
      error: string | null;
    }[];
  }>().deliveries;
}

async function removeTarget(id: number) {
  await backend.app.inject({
    method: 'DELETE',
    url: `/api/v1/notification-targets/${id}`,
    headers: bearer(tenant.token),
  });
}

async function endedJob(
  status: 'FAILED' | 'FINISHED',
  error: string | null = null,
  code: string | null = null,
): Promise<number> {
  const { rows } = await backend.pool.query<{ id: string }>(
    `insert into etl_jobs (tenant_id, integration_id, streams, status, error, error_code, started_at, finished_at)
     values ($1, $2, '["issues"]', $3, $4, $5, now(), now()) returning id`,
    [tenant.id, integrationId, status, error, code],
  );
  return Number(rows[0]!.id);
}

describe('notifications to webhook targets', () => {
  it('a webhook URL goes through the integrations’ outbound policy: a bad one is a 400 naming url', async () => {
    const response = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/notification-targets',
      headers: bearer(tenant.token),
      payload: { kind: 'slack', url: 'ftp://hooks.example.com/x' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { message: string; details: { path: string }[] } }>().error).toMatchObject({
      message: 'url must be an http(s) URL',
      details: [{ path: 'url' }],
    });
  });

  it('a failed job reaches a Slack target as text and a generic target as JSON, once, recorded as delivered', async () => {
    const slack = await addTarget({ kind: 'slack', url: `${receiverUrl}/slack`, events: ['job_failed'] });
    const generic = await addTarget({ kind: 'webhook', url: `${receiverUrl}/hook`, events: ['job_failed'] });
    const jobId = await endedJob(
      'FAILED',
      "jira: HTTP 400 from x/rest/api/3/search/jql: The value 'NOPE' does not exist for the field 'project'.",
      'CONFIG_INVALID',
    );
    expect(await runNotifications(deps())).toEqual({ delivered: 2, failed: 0 });
    const toSlack = received.find((r) => r.path === '/slack')!.body;
    expect(toSlack).toEqual({
      text: `Tributary: job ${jobId} of integration "Team Jira" failed [CONFIG_INVALID]: jira: HTTP 400 from x/rest/api/3/search/jql: The value 'NOPE' does not exist for the field 'project'.`,
    });
    expect(received.find((r) => r.path === '/hook')!.body).toMatchObject({
      event: 'job_failed',
      tenant_id: tenant.id,
      job_id: jobId,
      integration_id: integrationId,
      error_code: 'CONFIG_INVALID',
    });
    expect(await deliveries(slack)).toMatchObject([
      { event: 'job_failed', status: 'delivered', attempts: 1, response_status: 200 },
    ]);
    // Told once.
    expect(await runNotifications(deps())).toEqual({ delivered: 0, failed: 0 });
    await removeTarget(slack);
    await removeTarget(generic);
  });

  it('retries a receiver that answers 5xx, and records a failure when it never takes it', async () => {
    const target = await addTarget({ kind: 'webhook', url: `${receiverUrl}/flaky`, events: ['job_failed'] });
    answers = [500, 502];
    await endedJob('FAILED', 'github: connection refused', 'SOURCE_UNREACHABLE');
    expect(await runNotifications(deps())).toEqual({ delivered: 1, failed: 0 });
    expect(await deliveries(target)).toMatchObject([
      { status: 'delivered', attempts: 3, response_status: 200 },
    ]);
    answers = [500, 500, 500];
    await endedJob('FAILED', 'again', 'SOURCE_ERROR');
    expect(await runNotifications(deps())).toEqual({ delivered: 0, failed: 1 });
    const [last] = await deliveries(target);
    expect(last).toMatchObject({ status: 'failed', response_status: 500 });
    expect(last!.error).toContain('HTTP 500');
    await removeTarget(target);
  });

  it('a finished run after a failure is "recovered"', async () => {
    const target = await addTarget({
      kind: 'webhook',
      url: `${receiverUrl}/recovered`,
      events: ['job_recovered'],
    });
    await endedJob('FAILED', 'boom', 'SOURCE_ERROR');
    const fixed = await endedJob('FINISHED');
    expect(await runNotifications(deps())).toEqual({ delivered: 1, failed: 0 });
    expect(received[0]!.body).toMatchObject({
      event: 'job_recovered',
      job_id: fixed,
      message: expect.stringContaining('recovered') as unknown,
    });
    await removeTarget(target);
  });

  it('dead letters reaching the threshold are told once per crossing', async () => {
    const target = await addTarget({
      kind: 'slack',
      url: `${receiverUrl}/dead`,
      events: ['dead_letters'],
      dead_letter_threshold: 2,
    });
    const letter = (n: number) =>
      backend.pool.query(
        `insert into dead_letters (tenant_id, integration_id, entity_type, message_id, queue, routing_key, body, reason)
         values ($1, $2, 'jira_issues', $3, 'etl.transform', 'transform.jira_issues', '{}', 'boom')`,
        [tenant.id, integrationId, `m-notify-${n}`],
      );
    await letter(1);
    expect(await runNotifications(deps())).toEqual({ delivered: 0, failed: 0 });
    await letter(2);
    expect(await runNotifications(deps())).toEqual({ delivered: 1, failed: 0 });
    expect(received[0]!.body).toEqual({
      text: 'Tributary: 2 dead letters waiting (threshold 2); see GET /api/v1/dead-letters',
    });
    await letter(3);
    expect(await runNotifications(deps())).toEqual({ delivered: 0, failed: 0 });
    await removeTarget(target);
  });

  it('a source breaker open longer than N minutes is told, read from the extract service', async () => {
    const target = await addTarget({
      kind: 'webhook',
      url: `${receiverUrl}/breaker`,
      events: ['breaker_open'],
      breaker_open_minutes: 0,
    });
    const breaker = extractBreakers.get(`jira:${integrationId}`);
    for (let i = 0; i < breaker.config.failureThreshold; i++) {
      await breaker
        .execute(() => Promise.reject(Object.assign(new Error('down'), { code: 'ECONNREFUSED' })))
        .catch(() => undefined);
    }
    expect(await runNotifications(deps())).toEqual({ delivered: 1, failed: 0 });
    expect(received[0]!.body).toMatchObject({
      event: 'breaker_open',
      breaker: `jira:${integrationId}`,
      state: 'OPEN',
    });
    expect(await runNotifications(deps())).toEqual({ delivered: 0, failed: 0 });
    // GET /breakers is not open to any other token (issue 10): the extract token is what opens it.
    await expect(readSourceBreakers(extractUrl, 'not-the-extract-token')).rejects.toThrow(/answered 401/);
    await removeTarget(target);
  });
});

describe('webhook deliveries connect through the outbound guard (DNS rebinding)', () => {
  // The host exists only in the injected resolvers (tests/security/README.md): reaching the
  // receiver through it proves the socket went to the address the guard resolved.
  const rebindingUrl = (path: string) => `http://${TEST_HOST}:${new URL(receiverUrl).port}${path}`;

  it('connects to the address the guard resolved', async () => {
    const target = await addTarget({
      kind: 'webhook',
      url: rebindingUrl('/through-guard'),
      events: ['job_failed'],
    });
    await endedJob('FAILED', 'boom', 'SOURCE_ERROR');
    const resolve = stagedResolver(() => ['127.0.0.1']);
    const own: OutboundGuard = createOutboundGuard({ allowPrivateHosts: true, resolve });
    try {
      await runNotifications({
        ...deps(),
        urlPolicy: { hostAllowlist: [TEST_HOST], allowPrivateHosts: true, resolve },
        guard: own,
      });
    } finally {
      await own.close();
    }
    expect(received.map((r) => r.path)).toEqual(['/through-guard']);
    expect(await deliveries(target)).toMatchObject([{ status: 'delivered', response_status: 200 }]);
    await removeTarget(target);
  });

  it('a name public at the policy check and loopback at connect reaches nothing, refused once, not retried', async () => {
    const target = await addTarget({
      kind: 'webhook',
      url: rebindingUrl('/rebound'),
      events: ['job_failed'],
    });
    await endedJob('FAILED', 'boom', 'SOURCE_ERROR');
    // First lookup (the policy check): public. Every later one (the connect): loopback.
    let lookups = 0;
    const resolve = stagedResolver(() => (lookups++ === 0 ? [PUBLIC_ADDRESS] : ['127.0.0.1']));
    // A production backend: private hosts refused, the name on the allow-list.
    const own = createOutboundGuard({ allowPrivateHosts: false, resolve });
    try {
      await runNotifications({
        ...deps(),
        urlPolicy: { hostAllowlist: [TEST_HOST], allowPrivateHosts: false, resolve },
        guard: own,
      });
    } finally {
      await own.close();
    }
    expect(lookups).toBe(2);
    expect(received).toEqual([]);
    const [delivery] = await deliveries(target);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, response_status: null });
    expect(delivery!.error).toBe(
      `host ${TEST_HOST} resolves to an address integrations may not use (loopback)`,
    );
    await removeTarget(target);
  });
});
