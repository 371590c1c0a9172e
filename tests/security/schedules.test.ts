// Finding 6: a per-second cron was accepted, and after a long gap the scheduler walked every
// missed tick (up to 10 000 per integration per tick), stalling the event loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@tributary/observability';
import type { Publisher } from '@tributary/queue';
import {
  bearer,
  openBackendQueues,
  startTestBackend,
  TEST_INTEGRATIONS,
  type BackendQueues,
  type TestBackend,
} from '../support/backend.ts';
import { triggerDueSchedules } from '../../services/backend/src/orchestration/scheduler.ts';

let backend: TestBackend;
let tenant: { id: number; token: string };
let queues: BackendQueues;
let publisher: Publisher;
const logger = createLogger('test', { level: 'silent' });

beforeAll(async () => {
  backend = await startTestBackend({ SCHEDULER_ENABLED: 'false' });
  tenant = await backend.createTenant();
  queues = await openBackendQueues(backend.config, logger);
  publisher = queues.publisher;
});
afterAll(async () => {
  await queues.close();
  await backend.close();
});

const create = (schedule: string) =>
  backend.app.inject({
    method: 'POST',
    url: '/api/v1/integrations',
    headers: bearer(tenant.token),
    payload: { ...TEST_INTEGRATIONS.github, schedule },
  });

describe('schedules', () => {
  it('are 5-field cron expressions running at most once per SCHEDULE_MIN_INTERVAL_MINUTES (default 5)', async () => {
    for (const [schedule, message] of [
      ['* * * * * *', 'must be a 5-field cron expression (minute hour day month weekday)'],
      ['*/10 * * * * *', 'must be a 5-field cron expression (minute hour day month weekday)'],
      ['* * * * *', 'runs every 1 minute; schedules may run at most once per 5 minutes'],
      ['0-4 9 * * 1', 'runs every 1 minute; schedules may run at most once per 5 minutes'],
      ['*/2 * * * *', 'runs every 2 minutes; schedules may run at most once per 5 minutes'],
    ]) {
      const response = await create(schedule!);
      expect(`${schedule} → ${response.statusCode}`).toBe(`${schedule} → 400`);
      expect(
        response.json<{ error: { details: { path: string; message: string }[] } }>().error.details[0],
      ).toEqual({ path: 'schedule', message });
    }
    expect((await create('*/5 * * * *')).statusCode).toBe(201);
    expect((await create('0 3 * * *')).statusCode).toBe(201);
  });

  it('after a long gap run once, computed directly, even for a per-second row saved before the limit', async () => {
    const { rows } = await backend.pool.query<{ id: number }>(
      `insert into integrations (tenant_id, type, name, base_url, credentials_encrypted, credentials_key_id, config, schedule, enabled, last_scheduled_at)
       values ($1, 'github', 'legacy', 'http://127.0.0.1:1', 'x', 'k', '{"repositories":["a/b"]}', '* * * * * *', true, now() - interval '30 days')
       returning id`,
      [tenant.id],
    );
    const id = rows[0]!.id;
    const now = new Date();
    expect(await triggerDueSchedules(backend.pool, publisher, logger, now)).toBe(1);
    // The claim moves to now, not to the next of 2.6 million missed seconds.
    const after = await backend.pool.query<{ last_scheduled_at: Date }>(
      'select last_scheduled_at from integrations where id = $1',
      [id],
    );
    expect(after.rows[0]!.last_scheduled_at.toISOString()).toBe(now.toISOString());
    const jobs = await backend.pool.query('select trigger from etl_jobs where integration_id = $1', [id]);
    expect(jobs.rows).toEqual([{ trigger: 'schedule' }]);
    // Its run ends; a minute later the row's cron is due again but the minimum interval holds it back.
    await backend.pool.query(`update etl_jobs set status = 'FINISHED' where integration_id = $1`, [id]);
    expect(await triggerDueSchedules(backend.pool, publisher, logger, new Date(now.getTime() + 60_000))).toBe(
      0,
    );
    expect(
      await triggerDueSchedules(backend.pool, publisher, logger, new Date(now.getTime() + 5 * 60_000)),
    ).toBe(1);
  });
});
