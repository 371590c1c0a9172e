import type pg from 'pg';
import { z } from 'zod';
import { HttpError, createBreakerRegistry, type BreakerRegistry } from '@tributary/resilience';
import type { LogSink } from '@tributary/observability';
import type { OutboundGuard } from '@tributary/netguard';
import { errorMessage, type NotificationEvent } from '@tributary/contracts';
import { checkIntegrationUrl, type UrlPolicy } from '../security/url-policy.ts';
import {
  listEnabledNotificationTargets,
  type EnabledNotificationTarget,
} from '../db/list-enabled-notification-targets.ts';
import { failedJobsSince } from '../db/failed-jobs-since.ts';
import { recoveredJobsSince } from '../db/recovered-jobs-since.ts';
import { deadLetterThresholdCrossing } from '../db/dead-letter-threshold-crossing.ts';
import { tenantIntegrationNames } from '../db/tenant-integration-names.ts';
import { insertNotificationDelivery } from '../db/insert-notification-delivery.ts';
import { markNotificationDelivered } from '../db/mark-notification-delivered.ts';
import { markNotificationFailed } from '../db/mark-notification-failed.ts';
import { postWebhook } from './deliver.ts';
import { startPeriodic, type Periodic } from '../periodic.ts';

/** One thing worth telling a tenant, with the key that makes sure it is told once. */
export interface Notice {
  event: NotificationEvent;
  key: string;
  message: string;
  details: Record<string, unknown>;
}

/** What the extractor's `GET /breakers` says, as much as notifications need. */
export const sourceBreakersSchema = z.object({
  breakers: z.array(z.object({ name: z.string(), state: z.string(), openedAt: z.string().nullable() })),
});
export type SourceBreaker = z.infer<typeof sourceBreakersSchema>['breakers'][number];

/**
 * The extract service's source breakers. Its `GET /breakers` admits only the extract (or admin)
 * token: the backend presents `TRIBUTARY_EXTRACT_TOKEN`, as for connection tests.
 */
export async function readSourceBreakers(extractUrl: string, extractToken: string): Promise<SourceBreaker[]> {
  const response = await fetch(new URL('/breakers', extractUrl), {
    headers: { authorization: `Bearer ${extractToken}` },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`extract service GET /breakers answered ${response.status}`);
  return sourceBreakersSchema.parse(await response.json()).breakers;
}

export interface NotifierDeps {
  pool: pg.Pool;
  urlPolicy: UrlPolicy;
  /**
   * The connect-time guard every delivery goes through (`createOutboundGuard` with the same
   * `allowPrivateHosts` and resolver as `urlPolicy`): the check above is only the early answer.
   */
  guard: OutboundGuard;
  /** The source breakers (from the extract service); an empty list when it cannot be asked. */
  sourceBreakers: () => Promise<SourceBreaker[]>;
  logger: LogSink;
  /** One breaker per target (`webhook:<id>`), kept between ticks. */
  breakers?: BreakerRegistry;
  retry?: { retries?: number; baseMs?: number; attemptTimeoutMs?: number };
}

async function noticesFor(
  pool: pg.Pool,
  target: EnabledNotificationTarget,
  breakers: readonly SourceBreaker[],
): Promise<Notice[]> {
  const notices: Notice[] = [];
  const wants = (event: NotificationEvent) => target.events.includes(event);
  if (wants('job_failed')) {
    for (const job of await failedJobsSince(pool, target.tenant_id, target.created_at)) {
      notices.push({
        event: 'job_failed',
        key: `job_failed:${job.id}:${job.attempts}`,
        message: `Tributary: job ${job.id} of integration "${job.name}" failed${job.error_code ? ` [${job.error_code}]` : ''}: ${job.error ?? 'no reason given'}`,
        details: {
          job_id: Number(job.id),
          integration_id: Number(job.integration_id),
          error_code: job.error_code,
          error: job.error,
        },
      });
    }
  }
  if (wants('job_recovered')) {
    for (const job of await recoveredJobsSince(pool, target.tenant_id, target.created_at)) {
      notices.push({
        event: 'job_recovered',
        key: `job_recovered:${job.id}`,
        message: `Tributary: integration "${job.name}" recovered: job ${job.id} finished after a failure`,
        details: { job_id: Number(job.id), integration_id: Number(job.integration_id) },
      });
    }
  }
  if (wants('dead_letters')) {
    // Keyed by the letter that reached the threshold: one notice per crossing, a new one after replays and new deaths.
    const crossing = await deadLetterThresholdCrossing(pool, target.tenant_id, target.dead_letter_threshold);
    if (crossing) {
      const { total } = crossing;
      notices.push({
        event: 'dead_letters',
        key: `dead_letters:${crossing.id}`,
        message: `Tributary: ${total} dead letters waiting (threshold ${target.dead_letter_threshold}); see GET /api/v1/dead-letters`,
        details: { dead_letters: total, threshold: target.dead_letter_threshold },
      });
    }
  }
  if (wants('breaker_open') && breakers.length > 0) {
    const rows = await tenantIntegrationNames(pool, target.tenant_id);
    const mine = new Map(rows.map((row) => [`${row.type}:${row.id}`, row.name]));
    for (const breaker of breakers) {
      const integration = mine.get(breaker.name);
      if (!integration || breaker.state === 'CLOSED' || !breaker.openedAt) continue;
      const openMinutes = (Date.now() - Date.parse(breaker.openedAt)) / 60_000;
      if (openMinutes < target.breaker_open_minutes) continue;
      notices.push({
        event: 'breaker_open',
        key: `breaker_open:${breaker.name}:${breaker.openedAt}`,
        message: `Tributary: calls to the source of integration "${integration}" have been paused for ${Math.floor(openMinutes)} min (circuit breaker ${breaker.name} ${breaker.state})`,
        details: { breaker: breaker.name, state: breaker.state, opened_at: breaker.openedAt },
      });
    }
  }
  return notices;
}

const bodyFor = (target: EnabledNotificationTarget, notice: Notice) =>
  target.kind === 'slack'
    ? { text: notice.message }
    : {
        event: notice.event,
        tenant_id: Number(target.tenant_id),
        message: notice.message,
        at: new Date().toISOString(),
        ...notice.details,
      };

/**
 * One pass: for every enabled target, the events it has not been told about yet are
 * recorded (once, by key) and sent; each outcome is recorded on its delivery row.
 */
export async function runNotifications(deps: NotifierDeps): Promise<{ delivered: number; failed: number }> {
  const breakers = deps.breakers ?? createBreakerRegistry();
  const result = { delivered: 0, failed: 0 };
  const targets = await listEnabledNotificationTargets(deps.pool);
  if (targets.length === 0) return result;
  const sourceBreakers = await deps.sourceBreakers().catch((error: unknown) => {
    deps.logger.warn(
      { err: error },
      'source breakers not read from the extract service; breaker_open notices wait',
    );
    return [];
  });
  for (const target of targets) {
    for (const notice of await noticesFor(deps.pool, target, sourceBreakers)) {
      const body = bodyFor(target, notice);
      const deliveryId = await insertNotificationDelivery(deps.pool, {
        targetId: target.id,
        tenantId: target.tenant_id,
        event: notice.event,
        eventKey: notice.key,
        payload: body,
      });
      if (deliveryId === undefined) continue;
      try {
        // The same outbound policy as integrations, checked again at sending time (allow-list, scheme,
        // addresses); the guard checks the addresses again at connect, where rebinding cannot slip by.
        await checkIntegrationUrl(target.url, deps.urlPolicy);
        const answer = await postWebhook(
          target.url,
          body,
          breakers.get(`webhook:${target.id}`),
          deps.guard,
          deps.retry,
        );
        await markNotificationDelivered(deps.pool, deliveryId, answer.attempts, answer.status);
        result.delivered += 1;
      } catch (error) {
        // A give-up wraps the last attempt's HTTP error: its status is the receiver's last answer.
        let status: number | null = null;
        for (let link: unknown = error; link && status === null; link = (link as { cause?: unknown }).cause) {
          if (link instanceof HttpError) status = link.status;
        }
        await markNotificationFailed(deps.pool, deliveryId, status, errorMessage(error).slice(0, 1000));
        deps.logger.warn(
          { err: error, targetId: target.id, event: notice.event },
          'notification not delivered',
        );
        result.failed += 1;
      }
    }
  }
  return result;
}

/** Runs the notifier every `intervalSeconds` in the background; a slow receiver delays only notifications. */
export function startNotifier(deps: NotifierDeps, intervalSeconds: number): Periodic {
  const withBreakers = { ...deps, breakers: deps.breakers ?? createBreakerRegistry() };
  return startPeriodic(
    { intervalSeconds, logger: deps.logger, failure: 'notification pass failed; will try again' },
    () => runNotifications(withBreakers),
  );
}
