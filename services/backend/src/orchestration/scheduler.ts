import type pg from 'pg';
import { Cron } from 'croner';
import type { Publisher } from '@tributary/queue';
import type { LogSink } from '@tributary/observability';
import { AppError } from '../errors.ts';
import { triggerRun } from './runs.ts';
import { republishStalePending, retryDueJobs } from './retry-orchestrator.ts';

interface ScheduledIntegration {
  id: number;
  tenant_id: number;
  schedule: string;
  last_scheduled_at: Date | null;
  created_at: Date;
}

/** The latest cron tick at or before `now` after `since`, or null when none has come. */
export function latestDueTick(schedule: string, since: Date, now: Date): Date | null {
  const cron = new Cron(schedule, { paused: true, timezone: 'UTC' });
  let due: Date | null = null;
  let next = cron.nextRun(since);
  // Bounded: after a long outage only the latest missed tick fires, once.
  for (let i = 0; next && next <= now && i < 10_000; i++) {
    due = next;
    next = cron.nextRun(next);
  }
  return due;
}

/**
 * Starts a run for every enabled integration whose cron tick has come. The tick
 * is claimed with a compare-and-set on `last_scheduled_at`, so with several
 * backends exactly one of them triggers each tick.
 */
export async function triggerDueSchedules(pool: pg.Pool, publisher: Publisher, logger: LogSink, now = new Date()): Promise<number> {
  const { rows } = await pool.query<ScheduledIntegration>(
    `select id, tenant_id, schedule, last_scheduled_at, created_at from integrations
     where enabled and schedule is not null and deleted_at is null`,
  );
  let triggered = 0;
  for (const integration of rows) {
    const tick = latestDueTick(integration.schedule, integration.last_scheduled_at ?? integration.created_at, now);
    if (!tick) continue;
    const claimed = await pool.query(
      `update integrations set last_scheduled_at = $2
       where id = $1 and last_scheduled_at is not distinct from $3 returning id`,
      [integration.id, tick, integration.last_scheduled_at],
    );
    if (claimed.rowCount !== 1) continue;
    try {
      await triggerRun(pool, publisher, logger, {
        tenantId: integration.tenant_id,
        integrationId: integration.id,
        mode: 'incremental',
        trigger: 'schedule',
      });
      triggered++;
    } catch (error) {
      if (error instanceof AppError && error.status === 409) {
        logger.info({ integrationId: integration.id, reason: error.message }, 'scheduled run skipped');
      } else {
        logger.error({ err: error, integrationId: integration.id }, 'scheduled run failed to start');
      }
    }
  }
  return triggered;
}

/** The backend's periodic work: cron schedules, due retries, lost PENDING jobs. */
export function startScheduler(
  pool: pg.Pool,
  publisher: Publisher,
  logger: LogSink,
  tickSeconds: number,
  pendingRepublishSeconds: number = Math.max(120, tickSeconds * 4),
): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      await triggerDueSchedules(pool, publisher, logger);
      await retryDueJobs(pool, publisher, logger);
      await republishStalePending(pool, publisher, pendingRepublishSeconds);
    })().catch((error: unknown) => logger.warn({ err: error }, 'scheduler tick failed; will try again'));
  };
  const timer = setInterval(tick, tickSeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
