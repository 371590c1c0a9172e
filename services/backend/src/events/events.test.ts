import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { buildApp, loadConfig } from '@tributary/backend';
import {
  ADMIN_TOKEN,
  bearer,
  startTestBackend,
  testEnv,
  type TestBackend,
} from '../../../../tests/support/backend.ts';
import { waitFor } from '../../../../tests/support/wait.ts';
import { admits } from './event-hub.ts';
import { CLOSE_CODES, rawText } from './events-route.ts';
import { connectLive as connect, eventsOf, jobEvents } from './live-client.ts';
import { healthFor } from './system-health.ts';

/** Nothing listens on the discard port: health probes of the extract service fail fast. */
const NO_EXTRACT = {
  EXTRACT_URL: 'http://127.0.0.1:9',
  EVENTS_HEALTH_INTERVAL_SECONDS: '1',
  EVENTS_TOKEN_RECHECK_SECONDS: '1',
};

describe('admits: who hears an event', () => {
  it('gives a tenant its own rows only and the admin only what the admin views show', () => {
    const tenant7 = { kind: 'tenant', tenantId: 7 } as const;
    expect(admits({ tenantId: 7, admin: false }, tenant7)).toBe(true);
    expect(admits({ tenantId: 8, admin: true }, tenant7)).toBe(false);
    expect(admits({ tenantId: null, admin: true }, tenant7)).toBe(false);
    expect(admits({ tenantId: 7, admin: false }, { kind: 'admin' })).toBe(false);
    expect(admits({ tenantId: null, admin: true }, { kind: 'admin' })).toBe(true);
  });
});

describe('healthFor: the breakers a viewer sees', () => {
  const raw = {
    at: '2026-01-01T00:00:00.000Z',
    database: { ok: true, error: null },
    broker: { ok: true, blocked: false, error: null },
    queues: [{ name: 'etl.transform', depth: 3 }],
    breakers_error: null,
    breakers: ['backend', 'jira:7', 'github:8', 'jira:9'].map((name) => ({
      name,
      state: 'OPEN' as const,
      failures: 5,
      ms_until_half_open: 1000,
      half_open_at: null,
      last_error: 'boom',
    })),
  };

  it("shows a tenant its own integrations' breakers (resettable) and the shared ones, never another tenant's", () => {
    const seen = healthFor(raw, { kind: 'tenant', tenantId: 1 }, new Set([7, 8]));
    expect(seen.breakers?.map((b) => [b.name, b.resettable])).toEqual([
      ['backend', false],
      ['jira:7', true],
      ['github:8', true],
    ]);
    expect(healthFor(raw, { kind: 'admin' }, new Set()).breakers?.map((b) => b.name)).toEqual([
      'backend',
      'jira:7',
      'github:8',
      'jira:9',
    ]);
  });
});

describe('GET /api/v1/events: NOTIFY → the right tenant only, from any instance', () => {
  let backend: TestBackend;
  let other: FastifyInstance;
  let urlA: string;
  let urlB: string;
  let tenantA: { id: number; token: string };
  let tenantB: { id: number; token: string };
  let integrationA: number;
  let integrationB: number;

  beforeAll(async () => {
    backend = await startTestBackend({ ...NO_EXTRACT, SCHEDULER_ENABLED: 'false' });
    urlA = await backend.app.listen({ port: 0, host: '127.0.0.1' });
    // A second backend instance on the same database: it must push what the first one (or anyone) changed.
    other = await buildApp(
      loadConfig(
        testEnv(backend.database.url, {
          ...NO_EXTRACT,
          SCHEDULER_ENABLED: 'false',
          LOG_LEVEL: 'silent',
          QUEUE_PREFIX: backend.config.QUEUE_PREFIX,
        }),
      ),
    );
    urlB = await other.listen({ port: 0, host: '127.0.0.1' });
    tenantA = await backend.createTenant('a');
    tenantB = await backend.createTenant('b');
    integrationA = await backend.createIntegration(tenantA.token, 'jira');
    integrationB = await backend.createIntegration(tenantB.token, 'github');
  });

  afterAll(async () => {
    await other?.close();
    await backend?.close();
  });

  const insertJob = async (tenantId: number, integrationId: number) =>
    (
      await backend.pool.query<{ id: number }>(
        `insert into etl_jobs (tenant_id, integration_id, streams, status) values ($1, $2, '["issues"]', 'PENDING') returning id`,
        [tenantId, integrationId],
      )
    ).rows[0]!.id;

  const insertDeadLetter = async (tenantId: number | null, reason: string) =>
    (
      await backend.pool.query<{ id: number }>(
        `insert into dead_letters (tenant_id, message_id, queue, routing_key, body, reason)
         values ($1, gen_random_uuid()::text, 'etl.transform', 'transform.jira_issues', '{}', $2) returning id`,
        [tenantId, reason],
      )
    ).rows[0]!.id;

  it('pushes job_status and progress_update to the job tenant, dead_letter to it and the admin, nothing to another tenant', async () => {
    const a = await connect(urlA, tenantA.token);
    const b = await connect(urlA, tenantB.token);
    const admin = await connect(urlA, ADMIN_TOKEN);
    for (const client of [a, b, admin])
      await waitFor(async () => eventsOf(client, 'hello').length === 1, 10_000, 'hello');
    expect(eventsOf(a, 'hello')[0]).toMatchObject({ tenant_id: tenantA.id, admin: false });

    // Changes as a worker or extractor makes them: straight in the database.
    const jobA = await insertJob(tenantA.id, integrationA);
    await backend.pool.query(`update etl_jobs set status = 'RUNNING', started_at = now() where id = $1`, [
      jobA,
    ]);
    await waitFor(
      async () =>
        jobEvents(a, jobA).some(
          (m) => m.type === 'job_status' && (m.job as { status: string }).status === 'RUNNING',
        ),
      10_000,
      'running',
    );
    await backend.pool.query(
      `update etl_jobs set progress = '{"issues":{"records":40,"pages":1}}', records_extracted = 40 where id = $1`,
      [jobA],
    );
    // A heartbeat alone is not news.
    await backend.pool.query(`update etl_jobs set heartbeat_at = now() where id = $1`, [jobA]);
    const letterA = await insertDeadLetter(tenantA.id, 'fields.updated: expected a date');
    const unreadable = await insertDeadLetter(null, 'message is not JSON');
    // Last, tenant B's own change: once B has it, anything of A's that leaked would have arrived before it.
    const sentinel = await insertDeadLetter(tenantB.id, 'sentinel for b');

    await waitFor(
      async () => eventsOf(b, 'dead_letter').some((m) => (m.dead_letter as { id: number }).id === sentinel),
      10_000,
      'b sentinel',
    );
    await waitFor(
      async () =>
        jobEvents(a, jobA).some((m) => (m.job as { records_extracted: number }).records_extracted === 40),
      10_000,
      'a progress',
    );
    await waitFor(async () => eventsOf(admin, 'dead_letter').length >= 3, 10_000, 'admin dead letters');
    await waitFor(async () => eventsOf(a, 'dead_letter').length >= 1, 10_000, 'a dead letter');

    const leakedToB = b.messages.filter(
      (m) =>
        m.type !== 'hello' &&
        m.type !== 'system_health' &&
        JSON.stringify(m).includes(`"tenant_id":${tenantA.id}`),
    );
    expect(leakedToB).toEqual([]);
    expect(jobEvents(b, jobA)).toEqual([]);
    expect(eventsOf(b, 'dead_letter').map((m) => (m.dead_letter as { id: number }).id)).toEqual([sentinel]);

    const statuses = jobEvents(a, jobA).map((m) => [m.type, (m.job as { status: string }).status]);
    expect(statuses[0]).toEqual(['job_status', expect.stringMatching(/PENDING|RUNNING/)]);
    expect(statuses).toContainEqual(['job_status', 'RUNNING']);
    expect(jobEvents(a, jobA).at(-1)).toMatchObject({
      type: 'progress_update',
      job: { status: 'RUNNING', records_extracted: 40, progress: { issues: { records: 40 } } },
    });
    expect(
      eventsOf(a, 'dead_letter').map((m) => (m.dead_letter as { id: number; reason: string }).id),
    ).toEqual([letterA]);
    expect(eventsOf(admin, 'dead_letter').map((m) => (m.dead_letter as { id: number }).id)).toEqual([
      letterA,
      unreadable,
      sentinel,
    ]);
    expect(jobEvents(admin, jobA)).toEqual([]);

    // system_health: A sees its own integration's breakers only (none are known here: the extract service is down).
    const health = eventsOf(a, 'system_health')[0]?.health as {
      database: { ok: boolean };
      breakers: unknown;
      breakers_error: string;
    };
    expect(health.database.ok).toBe(true);
    expect(health.breakers).toBeNull();
    expect(health.breakers_error).toMatch(/extract service unreachable/);
    for (const client of [a, b, admin]) client.close();
  });

  it('pushes to a client of another backend instance what was changed through the first one', async () => {
    const watcher = await connect(urlB, tenantB.token);
    await waitFor(async () => eventsOf(watcher, 'hello').length === 1, 10_000, 'hello');
    const jobB = await insertJob(tenantB.id, integrationB);
    const response = await backend.app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${jobB}/cancel`,
      headers: bearer(tenantB.token),
    });
    expect(response.statusCode).toBe(200);
    const cancelled = await waitFor(
      async () =>
        jobEvents(watcher, jobB).find(
          (m) => m.type === 'job_status' && (m.job as { status: string }).status === 'CANCELLED',
        ),
      10_000,
      'cancelled on the other instance',
    );
    expect(cancelled.job).toMatchObject({ id: jobB, integration_id: integrationB, status: 'CANCELLED' });
    watcher.close();
  });

  it('after the listener loses its connection, tells clients to re-read (resync) and keeps delivering', async () => {
    const watcher = await connect(urlA, tenantA.token);
    await waitFor(async () => eventsOf(watcher, 'hello').length === 1, 10_000, 'hello');
    // As a database restart or a network cut would: the LISTEN connection of both instances is gone.
    await backend.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'tributary-events' and datname = current_database()`,
    );
    await waitFor(async () => eventsOf(watcher, 'resync').length > 0, 15_000, 'resync');
    const { rows } = await backend.pool.query<{ id: number }>(
      `update etl_jobs set records_extracted = 99 where integration_id = $1 and status = 'RUNNING' returning id`,
      [integrationA],
    );
    const job = rows[0]!.id;
    const after = await waitFor(
      async () =>
        jobEvents(watcher, job).find(
          (m) => (m.job as { records_extracted: number }).records_extracted === 99,
        ),
      10_000,
      'an event after the reconnect',
    );
    expect(after.job).toMatchObject({ id: job, records_extracted: 99 });
    watcher.close();
  });

  it('closes the socket of a token revoked while it is open', async () => {
    const revoked = await backend.createTenant('revoked');
    const client = await connect(urlA, revoked.token);
    await waitFor(async () => eventsOf(client, 'hello').length === 1, 10_000, 'hello');
    await backend.pool.query('update api_tokens set revoked_at = now() where tenant_id = $1', [revoked.id]);
    expect(await client.closed).toMatchObject({
      code: CLOSE_CODES.authFailed,
      reason: 'token is no longer valid',
    });
  });

  it("resets only the tenant's own breakers", async () => {
    const reset = (name: string, token: string) =>
      backend.app.inject({
        method: 'POST',
        url: `/api/v1/system/breakers/${name}/reset`,
        headers: bearer(token),
      });
    const foreign = await reset(`github:${integrationB}`, tenantA.token);
    expect(foreign.statusCode).toBe(404);
    const shared = await reset('backend', tenantA.token);
    expect(shared.statusCode).toBe(403);
    expect(shared.json<{ error: { message: string } }>().error.message).toContain('operator');
    // Its own: the request goes to the extract service, which is not running here.
    const own = await reset(`jira:${integrationA}`, tenantA.token);
    expect(own.statusCode).toBe(503);
    expect(own.json<{ error: { message: string } }>().error.message).toContain('extract service unreachable');
    const session = await backend.app.inject({ url: '/api/v1/session', headers: bearer(tenantA.token) });
    expect(session.json()).toEqual({ kind: 'tenant', tenant_id: tenantA.id });
  });

  it('refuses a bad token and a socket that never authenticates, and never reads a token from the URL', async () => {
    const bad = await connect(urlA, 'trb_not-a-token');
    expect(await bad.closed).toMatchObject({ code: CLOSE_CODES.authFailed, reason: 'token is not valid' });

    const inUrl = new WebSocket(`${urlA.replace('http', 'ws')}/api/v1/events?token=${tenantA.token}`);
    const messages: string[] = [];
    inUrl.on('message', (data) => messages.push(rawText(data)));
    await new Promise((resolve) => inUrl.once('open', resolve));
    inUrl.send(JSON.stringify({ hello: 'no auth here' }));
    const closed = await new Promise<number>((resolve) => inUrl.once('close', (code) => resolve(code)));
    expect(closed).toBe(CLOSE_CODES.authFailed);
    expect(messages).toEqual([]);
  });
});
