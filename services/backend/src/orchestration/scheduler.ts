import type pg from 'pg';
import { Cron } from 'croner';
import type { Publisher } from '@tributary/queue';
import type { LogSink } from '@tributary/observability';
import { AppError } from '../errors.ts';
import { triggerRun } from './runs.ts';
import { scheduledIntegrations } from '../db/scheduled-integrations.ts';
import { claimScheduleTick } from '../db/claim-schedule-tick.ts';
import { republishStalePending, retryDueJobs } from './retry-orchestrator.ts';

/**
 * Whether a cron tick has come in (since, now]: one `nextRun`, no walk over missed ticks — after
 * an outage of any length a schedule runs once, and a tick costs the same for every integration.
 * A schedule that does not parse (a row from before 5-field validation) is never due.
 */
export function isScheduleDue(schedule: string, since: Date, now: Date): boolean {
  let next: Date | null;
  try {
    next = new Cron(schedule, { paused: true, timezone: 'UTC' }).nextRun(since);
  } catch {
    return false;
  }
  return next !== null && next <= now;
}

/**
 * Starts a run for every enabled integration whose cron tick has come, at most once per
 * `minIntervalMs` (also for rows saved before the limit existed). The run is claimed with a
 * compare-and-set on `last_scheduled_at` (set to `now`), so with several backends exactly one of
 * them triggers it.
 */
export async function triggerDueSchedules(
  pool: pg.Pool,
  publisher: Publisher,
  logger: LogSink,
  now = new Date(),
  minIntervalMs = 5 * 60_000,
): Promise<number> {
  let triggered = 0;
  for (const integration of await scheduledIntegrations(pool)) {
    const last = integration.last_scheduled_at;
    if (last && now.getTime() - last.getTime() < minIntervalMs) continue;
    if (!isScheduleDue(integration.schedule, last ?? integration.created_at, now)) continue;
    if (!(await claimScheduleTick(pool, integration.id, now, last))) continue;
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
  minIntervalMinutes = 5,
  pendingRepublishSeconds: number = Math.max(120, tickSeconds * 4),
): { stop: () => Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      await triggerDueSchedules(pool, publisher, logger, new Date(), minIntervalMinutes * 60_000);
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
