import { sql } from 'drizzle-orm';
import {
  bigserial,
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** The archive of messages that could not be processed; tenant is null when the message was unreadable. */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: bigint('tenant_id', { mode: 'number' }),
    integrationId: bigint('integration_id', { mode: 'number' }),
    entityType: text('entity_type'),
    messageId: text('message_id').notNull(),
    /** Counts deaths of the same message id, so a replayed message that dies again gets its own row. */
    deathNumber: integer('death_number').notNull().default(1),
    correlationId: text('correlation_id'),
    queue: text('queue').notNull(),
    routingKey: text('routing_key').notNull(),
    headers: jsonb('headers').notNull().default({}),
    /** The body as it came, as text: it may not even be JSON. */
    body: text('body').notNull(),
    reason: text('reason').notNull(),
    errorStack: text('error_stack'),
    attempts: integer('attempts').notNull().default(0),
    firstFailedAt: timestamp('first_failed_at', { withTimezone: true }),
    deadLetteredAt: timestamp('dead_lettered_at', { withTimezone: true }).notNull().defaultNow(),
    status: text('status').notNull().default('dead'),
    replayCount: integer('replay_count').notNull().default(0),
    replayedAt: timestamp('replayed_at', { withTimezone: true }),
    /** Set while a replay publishes this letter (after its claim committed); a stale claim may be taken over. */
    replayClaimedAt: timestamp('replay_claimed_at', { withTimezone: true }),
    discardedAt: timestamp('discarded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('dead_letters_message_death_key').on(t.messageId, t.deathNumber),
    index('dead_letters_tenant_idx').on(t.tenantId, t.id),
    check('dead_letters_status_check', sql`${t.status} in ('dead', 'replayed', 'discarded')`),
  ],
);

/** Who replayed or discarded which dead letter, and when. */
export const deadLetterAudit = pgTable('dead_letter_audit', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  deadLetterId: bigint('dead_letter_id', { mode: 'number' })
    .notNull()
    .references(() => deadLetters.id),
  action: text('action').notNull(),
  actor: text('actor').notNull(),
  detail: jsonb('detail').notNull().default({}),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});
