import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { tenantRef } from './references.ts';

/** Where a tenant wants to hear about trouble: a Slack incoming webhook or a generic JSON POST. */
export const notificationTargets = pgTable(
  'notification_targets',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: tenantRef(),
    /** slack | webhook */
    kind: text('kind').notNull(),
    url: text('url').notNull(),
    /** job_failed | job_recovered | dead_letters | breaker_open */
    events: text('events').array().notNull(),
    deadLetterThreshold: integer('dead_letter_threshold').notNull().default(1),
    breakerOpenMinutes: integer('breaker_open_minutes').notNull().default(5),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('notification_targets_tenant_idx').on(t.tenantId),
    check('notification_targets_kind_check', sql`${t.kind} in ('slack', 'webhook')`),
  ],
);

/** One event for one target, once (unique event key), with the outcome of sending it. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    targetId: bigint('target_id', { mode: 'number' })
      .notNull()
      .references(() => notificationTargets.id, { onDelete: 'cascade' }),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    event: text('event').notNull(),
    eventKey: text('event_key').notNull(),
    payload: jsonb('payload').notNull(),
    /** pending | delivered | failed */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    responseStatus: integer('response_status'),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notification_deliveries_event_key').on(t.targetId, t.eventKey),
    check('notification_deliveries_status_check', sql`${t.status} in ('pending', 'delivered', 'failed')`),
  ],
);
