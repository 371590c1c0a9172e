import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GetMessage } from 'amqplib';
import { createLogger } from '@tributary/observability';
import {
  bearer,
  openBackendQueues,
  service,
  startTestBackend,
  type BackendQueues,
  type TestBackend,
} from '../../../../tests/support/backend.ts';
import type { QueueConnection, Publisher } from '@tributary/queue';
import { isScheduleDue, triggerDueSchedules } from './scheduler.ts';
import { retryDueJobs } from './retry-orchestrator.ts';
import { startJob } from '../jobs/job-state.ts';

let backend: TestBackend;
let tenant: { id: number; token: string };
let queues: BackendQueues;
let connection: QueueConnection;
let publisher: Publisher;
const logger = createLogger('test', { level: 'silent' });

beforeAll(async () => {
  backend = await startTestBackend({
    SCHEDULER_ENABLED: 'false',
    JOB_RETRY_DELAY_SECONDS: '1',
    JOB_MAX_ATTEMPTS: '3',
  });
  tenant = await backend.createTenant();
  queues = await openBackendQueues(backend.config, logger);
  ({ connection, publisher } = queues);
});
afterAll(async () => {
  await queues.close();
  await backend.close();
});

/** An enabled integration (the connection test is recorded as passed directly: no extract service here). */
async function enabledIntegration(schedule: string | null = null): Promise<number> {
  const id = await backend.createIntegration(tenant.token, 'github', schedule ? { schedule } : {});
  await backend.pool.query(
    `update integrations set last_test_ok = true, last_test_at = now(), created_at = now() - interval '1 day' where id = $1`,
    [id],
  );
  const enabled = await backend.app.inject({
    method: 'PATCH',
    url: `/api/v1/integrations/${id}`,
    headers: bearer(tenant.token),
    payload: { enabled: true },
  });
  expect(enabled.statusCode).toBe(200);
  return id;
}

/** Extract messages waiting in this test's queue. */
async function drainExtractQueue(): Promise<{ job_id: number; streams: string[]; mode: string }[]> {
  const channel = await (await connection.ready()).createChannel();
  const messages: { job_id: number; streams: string[]; mode: string }[] = [];
  for (;;) {
    const message: GetMessage | false = await channel.get(connection.names.extract, { noAck: true });
    if (!message) break;
    messages.push(
      JSON.parse(message.content.toString()) as { job_id: number; streams: string[]; mode: string },
    );
  }
  await channel.close();
  return messages;
}

const trigger = (integrationId: number, payload: object = {}) =>
  backend.app.inject({
    method: 'POST',
    url: `/api/v1/integrations/${integrationId}/runs`,
    headers: bearer(tenant.token),
    payload,
  });

describe('runs', () => {
  it('a trigger answers 202 with the job id and queues one extract message', async () => {
    await drainExtractQueue();
    const id = await enabledIntegration();
    const response = await trigger(id, { streams: ['pull_requests'], mode: 'full' });
    expect(response.statusCode).toBe(202);
    const { job_id } = response.json<{ job_id: number }>();
    const queued = await drainExtractQueue();
    expect(queued).toEqual([
      expect.objectContaining({ job_id, streams: ['pull_requests'], mode: 'full', source: 'github' }),
    ]);
    const second = await trigger(id);
    expect(second.statusCode).toBe(409);
    expect(second.json<{ error: { message: string } }>().error.message).toContain(
      `active job (${job_id}, PENDING)`,
    );
  });

  it('refuses a disabled integration, unknown streams and another tenant', async () => {
    const disabled = await trigger(await backend.createIntegration(tenant.token, 'github'));
    expect(disabled.statusCode).toBe(409);
    expect(disabled.json<{ error: { message: string } }>().error.message).toContain('disabled');
    const id = await enabledIntegration();
    const wrongStream = await trigger(id, { streams: ['issues'] });
    expect(wrongStream.statusCode).toBe(400);
    expect(wrongStream.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe(
      'streams',
    );
    const badMode = await trigger(id, { mode: 'sometimes' });
    expect(badMode.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe('mode');
    const other = await backend.createTenant('other');
    const foreign = await backend.app.inject({
      method: 'POST',
      url: `/api/v1/integrations/${id}/runs`,
      headers: bearer(other.token),
      payload: {},
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('pause, resume and cancel move the job through the state machine', async () => {
    const id = await enabledIntegration();
    const { job_id } = (await trigger(id)).json<{ job_id: number }>();
    const control = (action: string) =>
      backend.app.inject({
        method: 'POST',
        url: `/api/v1/jobs/${job_id}/${action}`,
        headers: bearer(tenant.token),
      });
    // An extractor claims it.
    const claimed = await backend.app.inject({
      method: 'POST',
      url: `/internal/v1/jobs/${job_id}/claim`,
      headers: service(tenant.id),
    });
    expect(claimed.json()).toMatchObject({ status: 'RUNNING' });
    expect((await control('pause')).json()).toMatchObject({ status: 'PAUSED', paused_by: 'user' });
    // A redelivered extract message must not take a job a person paused.
    const reclaim = await backend.app.inject({
      method: 'POST',
      url: `/internal/v1/jobs/${job_id}/claim`,
      headers: service(tenant.id),
    });
    expect(reclaim.statusCode).toBe(409);
    await drainExtractQueue();
    expect((await control('resume')).json()).toMatchObject({ status: 'RUNNING' });
    expect((await drainExtractQueue()).map((m) => m.job_id)).toEqual([job_id]);
    const claimedAgain = await backend.app.inject({
      method: 'POST',
      url: `/internal/v1/jobs/${job_id}/claim`,
      headers: service(tenant.id),
    });
    expect(claimedAgain.statusCode).toBe(200);
    // The extractor is beating: cancel is requested, and the extractor ends it.
    const cancel = await control('cancel');
    expect(cancel.json()).toMatchObject({ status: 'RUNNING', cancel_requested: true });
    const beat = await backend.app.inject({
      method: 'POST',
      url: `/internal/v1/jobs/${job_id}/heartbeat`,
      headers: service(tenant.id),
    });
    expect(beat.json()).toEqual({ status: 'RUNNING', cancel_requested: true });
    const ended = await backend.app.inject({
      method: 'POST',
      url: `/internal/v1/jobs/${job_id}/cancelled`,
      headers: service(tenant.id),
    });
    expect(ended.json()).toMatchObject({ status: 'CANCELLED' });
    expect((await control('pause')).statusCode).toBe(409);
    expect((await control('pause')).json<{ error: { message: string } }>().error.message).toBe(
      `job ${job_id} cannot move from CANCELLED to PAUSED`,
    );
  });

  it('a PENDING job is cancelled at once', async () => {
    const id = await enabledIntegration();
    const { job_id } = (await trigger(id)).json<{ job_id: number }>();
    const cancel = await backend.app.inject({
      method: 'POST',
      url: `/api/v1/jobs/${job_id}/cancel`,
      headers: bearer(tenant.token),
    });
    expect(cancel.json()).toMatchObject({ status: 'CANCELLED' });
  });
});

describe('scheduler', () => {
  it('is due once a cron tick has come, and not before the first', () => {
    const since = new Date('2026-01-01T00:00:00Z');
    expect(isScheduleDue('*/15 * * * *', since, new Date('2026-01-01T00:14:59Z'))).toBe(false);
    expect(isScheduleDue('*/15 * * * *', since, new Date('2026-01-01T00:47:00Z'))).toBe(true);
  });

  it('starts one run per tick even when several backends tick at once', async () => {
    await drainExtractQueue();
    const id = await enabledIntegration('*/5 * * * *');
    const later = new Date(Date.now() + 10 * 60_000);
    const triggered = await Promise.all([
      triggerDueSchedules(backend.pool, publisher, logger, later),
      triggerDueSchedules(backend.pool, publisher, logger, later),
      triggerDueSchedules(backend.pool, publisher, logger, later),
    ]);
    expect(triggered.reduce((a, b) => a + b, 0)).toBe(1);
    const { rows } = await backend.pool.query(
      `select trigger, status from etl_jobs where integration_id = $1`,
      [id],
    );
    expect(rows).toEqual([{ trigger: 'schedule', status: 'PENDING' }]);
    // The same tick never fires twice.
    expect(await triggerDueSchedules(backend.pool, publisher, logger, later)).toBe(0);
  });
});

describe('retry orchestrator', () => {
  it('re-queues a failed job after its delay, up to the attempt limit; credentials failures are not retried', async () => {
    const id = await enabledIntegration();
    const { job_id } = (await trigger(id)).json<{ job_id: number }>();
    const fail = (retryable: boolean) =>
      backend.app.inject({
        method: 'POST',
        url: `/internal/v1/jobs/${job_id}/fail`,
        headers: service(tenant.id),
        payload: { error: 'source unavailable', retryable },
      });
    await backend.app.inject({
      method: 'POST',
      url: `/internal/v1/jobs/${job_id}/claim`,
      headers: service(tenant.id),
    });
    const failed = await fail(true);
    expect(failed.json()).toMatchObject({ status: 'FAILED', error: 'source unavailable' });
    expect(failed.json<{ next_retry_at: string | null }>().next_retry_at).not.toBeNull();
    await backend.pool.query(
      `update etl_jobs set next_retry_at = now() - interval '1 second' where id = $1`,
      [job_id],
    );
    await drainExtractQueue();
    expect(await retryDueJobs(backend.pool, publisher, logger)).toBe(1);
    expect((await drainExtractQueue()).map((m) => m.job_id)).toEqual([job_id]);
    const { rows } = await backend.pool.query('select status, attempts from etl_jobs where id = $1', [
      job_id,
    ]);
    expect(rows[0]).toEqual({ status: 'PENDING', attempts: 1 });

    await startJob(backend.pool, tenant.id, job_id);
    const notRetryable = await fail(false);
    expect(notRetryable.json()).toMatchObject({ status: 'FAILED', next_retry_at: null });
    expect(await retryDueJobs(backend.pool, publisher, logger)).toBe(0);
  });
});
