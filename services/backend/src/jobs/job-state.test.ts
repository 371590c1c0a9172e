import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_STATUSES, canTransition, type JobStatus } from '@tributary/contracts';
import { bearer, service, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { insertJob } from '../db/jobs.ts';
import type { JobRow } from '../db/jobs.ts';
import { cancelJob, failJob, finishJob, pauseJob, requeueJob, resumeJob, startJob } from './job-state.ts';
import { AppError } from '../errors.ts';
import { anyOf } from '../../../../tests/support/matchers.ts';

let backend: TestBackend;
let tenant: { id: number; token: string };

beforeAll(async () => {
  backend = await startTestBackend();
  tenant = await backend.createTenant();
});
afterAll(async () => backend.close());

const newIntegration = () => backend.createIntegration(tenant.token, 'github');

/** The named transition into each state, with the least it needs (a failure gives a reason). */
const moveTo: Record<JobStatus, (tenantId: number, jobId: number) => Promise<JobRow>> = {
  PENDING: (t, j) => requeueJob(backend.pool, t, j),
  RUNNING: (t, j) => startJob(backend.pool, t, j),
  PAUSED: (t, j) => pauseJob(backend.pool, t, j, { reason: null, by: 'user' }),
  FINISHED: (t, j) => finishJob(backend.pool, t, j),
  FAILED: (t, j) => failJob(backend.pool, t, j, { error: 'boom', code: null }),
  CANCELLED: (t, j) => cancelJob(backend.pool, t, j),
};

/** A job walked into `status` along legal moves. */
async function jobIn(status: JobStatus): Promise<number> {
  const integrationId = await newIntegration();
  const job = await insertJob(backend.pool, {
    tenantId: tenant.id,
    integrationId,
    streams: ['pull_requests'],
    mode: 'incremental',
    trigger: 'manual',
  });
  const path: Record<JobStatus, JobStatus[]> = {
    PENDING: [],
    RUNNING: ['RUNNING'],
    PAUSED: ['RUNNING', 'PAUSED'],
    FINISHED: ['RUNNING', 'FINISHED'],
    FAILED: ['RUNNING', 'FAILED'],
    CANCELLED: ['CANCELLED'],
  };
  for (const step of path[status]) await moveTo[step](tenant.id, job.id);
  return job.id;
}

describe('job state machine', () => {
  const pairs = JOB_STATUSES.flatMap((from) => JOB_STATUSES.map((to) => [from, to] as const));

  const legal = pairs.filter(([from, to]) => canTransition(from, to));
  const illegal = pairs.filter(([from, to]) => !canTransition(from, to));

  it('the design has both legal and illegal moves', () => {
    expect([legal.length, illegal.length].every((n) => n > 0)).toBe(true);
  });

  it.each(legal)('%s → %s is legal', async (from, to) => {
    const jobId = await jobIn(from);
    const moved = await moveTo[to](tenant.id, jobId);
    expect(moved.status).toBe(to);
    expect(moved.finished_at === null).toBe(!['FINISHED', 'FAILED', 'CANCELLED'].includes(to));
  });

  it.each(illegal)('%s → %s is refused with a 409 and changes nothing', async (from, to) => {
    const jobId = await jobIn(from);
    const error = await moveTo[to](tenant.id, jobId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 409, message: `job ${jobId} cannot move from ${from} to ${to}` });
    const { rows } = await backend.pool.query('select status from etl_jobs where id = $1', [jobId]);
    expect(rows[0]).toEqual({ status: from });
  });

  it('a retry (FAILED → PENDING) counts an attempt and clears the finish time', async () => {
    const jobId = await jobIn('FAILED');
    const retried = await requeueJob(backend.pool, tenant.id, jobId);
    expect(retried.attempts).toBe(1);
    expect(retried.finished_at).toBeNull();
  });

  it('each named transition writes its own fields: pause reason and who, resume clears the heartbeat, a failure its reason and code', async () => {
    const jobId = await jobIn('RUNNING');
    await backend.pool.query('update etl_jobs set heartbeat_at = now() where id = $1', [jobId]);
    const paused = await pauseJob(backend.pool, tenant.id, jobId, {
      reason: 'backend unreachable',
      by: 'system',
    });
    expect([paused.pause_reason, paused.paused_by, paused.heartbeat_at]).toEqual([
      'backend unreachable',
      'system',
      anyOf(Date),
    ]);
    const resumed = await resumeJob(backend.pool, tenant.id, jobId);
    expect([resumed.pause_reason, resumed.paused_by, resumed.heartbeat_at]).toEqual([null, null, null]);
    const failed = await failJob(backend.pool, tenant.id, jobId, {
      error: 'jira: HTTP 503',
      code: 'SOURCE_UNAVAILABLE',
    });
    expect([failed.error, failed.error_code]).toEqual(['jira: HTTP 503', 'SOURCE_UNAVAILABLE']);
    await backend.pool.query(
      'update etl_jobs set next_retry_at = now(), cancel_requested_at = now() where id = $1',
      [jobId],
    );
    const requeued = await requeueJob(backend.pool, tenant.id, jobId);
    expect([requeued.next_retry_at, requeued.cancel_requested_at, requeued.error]).toEqual([
      null,
      null,
      'jira: HTTP 503',
    ]);
  });

  it("another tenant's job is a 404, not a 409", async () => {
    const jobId = await jobIn('PENDING');
    const other = await backend.createTenant('other');
    const error = await startJob(backend.pool, other.id, jobId).catch((e: unknown) => e);
    expect((error as AppError).status).toBe(404);
  });
});

describe('claim', () => {
  const claim = (jobId: number) =>
    backend.app.inject({
      method: 'POST',
      url: `/internal/v1/jobs/${jobId}/claim`,
      headers: service(tenant.id),
    });

  it('a job still beating under an extractor answers 409 JOB_CLAIMED (retry later); a stale one is taken over', async () => {
    const jobId = await jobIn('PENDING');
    expect((await claim(jobId)).statusCode).toBe(200);
    const busy = await claim(jobId);
    expect(busy.statusCode).toBe(409);
    expect(busy.json<{ error: { code: string } }>().error.code).toBe('JOB_CLAIMED');
    // Its extractor died: no heartbeat for longer than JOB_STALE_HEARTBEAT_SECONDS.
    await backend.pool.query(`update etl_jobs set heartbeat_at = now() - interval '1 hour' where id = $1`, [
      jobId,
    ]);
    const taken = await claim(jobId);
    expect(taken.statusCode).toBe(200);
    expect(taken.json<{ status: string }>().status).toBe('RUNNING');
  });

  it('a finished job answers a final 409 CONFLICT', async () => {
    const finished = await claim(await jobIn('FINISHED'));
    expect(finished.statusCode).toBe(409);
    expect(finished.json<{ error: { code: string } }>().error.code).toBe('CONFLICT');
  });
});

describe('one active job per integration', () => {
  it('holds under two concurrent inserts: one wins, the other gets a 409', async () => {
    const integrationId = await newIntegration();
    const attempt = () =>
      insertJob(backend.pool, {
        tenantId: tenant.id,
        integrationId,
        streams: ['repositories'],
        mode: 'full',
        trigger: 'manual',
      });
    const results = await Promise.allSettled([attempt(), attempt(), attempt()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(2);
    for (const r of rejected) {
      expect((r.reason as AppError).status).toBe(409);
      expect((r.reason as AppError).message).toContain('already has an active job');
    }
    const { rows } = await backend.pool.query(
      'select count(*)::int as n from etl_jobs where integration_id = $1',
      [integrationId],
    );
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('a finished job frees the integration for the next one', async () => {
    const integrationId = await newIntegration();
    const first = await insertJob(backend.pool, {
      tenantId: tenant.id,
      integrationId,
      streams: ['repositories'],
      mode: 'full',
      trigger: 'manual',
    });
    await cancelJob(backend.pool, tenant.id, first.id);
    const second = await insertJob(backend.pool, {
      tenantId: tenant.id,
      integrationId,
      streams: ['repositories'],
      mode: 'full',
      trigger: 'manual',
    });
    expect(second.status).toBe('PENDING');
  });
});

describe('jobs API', () => {
  it('lists and shows jobs of the tenant only', async () => {
    const jobId = await jobIn('RUNNING');
    const list = await backend.app.inject({
      method: 'GET',
      url: '/api/v1/jobs?status=RUNNING',
      headers: bearer(tenant.token),
    });
    expect(list.statusCode).toBe(200);
    const jobs = list.json<{ jobs: { id: number; status: string }[] }>().jobs;
    expect(jobs.map((j) => j.id)).toContain(jobId);
    expect(jobs.every((j) => j.status === 'RUNNING')).toBe(true);
    const one = await backend.app.inject({
      method: 'GET',
      url: `/api/v1/jobs/${jobId}`,
      headers: bearer(tenant.token),
    });
    expect(one.json()).toMatchObject({ id: jobId, status: 'RUNNING', streams: ['pull_requests'] });
    const asService = await backend.app.inject({
      method: 'GET',
      url: `/api/v1/jobs/${jobId}`,
      headers: service(tenant.id),
    });
    expect(asService.statusCode).toBe(200);
    const other = await backend.createTenant('nosy');
    const hidden = await backend.app.inject({
      method: 'GET',
      url: `/api/v1/jobs/${jobId}`,
      headers: bearer(other.token),
    });
    expect(hidden.statusCode).toBe(404);
  });

  it('rejects a bad status filter with 400 naming query.status', async () => {
    const response = await backend.app.inject({
      method: 'GET',
      url: '/api/v1/jobs?status=DONE',
      headers: bearer(tenant.token),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe(
      'query.status',
    );
  });
});
