import { z } from 'zod';

/** What a target can be told about. */
export const NOTIFICATION_EVENTS = ['job_failed', 'job_recovered', 'dead_letters', 'breaker_open'] as const;
export const notificationEventSchema = z.enum(NOTIFICATION_EVENTS);
export type NotificationEvent = z.infer<typeof notificationEventSchema>;

export const createNotificationTargetBodySchema = z.strictObject({
  /** `slack`: an incoming-webhook URL, sent `{ "text": … }`; `webhook`: any URL, sent the event as JSON. */
  kind: z.enum(['slack', 'webhook']),
  url: z.url().max(2048),
  events: z
    .array(notificationEventSchema)
    .min(1)
    .max(NOTIFICATION_EVENTS.length)
    .default([...NOTIFICATION_EVENTS]),
  /** `dead_letters` fires when the tenant's dead letters (still dead) reach this many. */
  dead_letter_threshold: z.number().int().min(1).max(1_000_000).default(1),
  /** `breaker_open` fires when a source breaker of the tenant has been open this long. */
  breaker_open_minutes: z.number().int().min(0).max(10_000).default(5),
});
export type CreateNotificationTargetBody = z.infer<typeof createNotificationTargetBodySchema>;
