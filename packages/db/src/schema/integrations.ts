import { sql } from 'drizzle-orm';
import {
  bigserial,
  bigint,
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

export const integrations = pgTable(
  'integrations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: bigint('tenant_id', { mode: 'number' })
      .notNull()
      .references(() => tenants.id),
    type: text('type').notNull(),
    name: text('name').notNull(),
    baseUrl: text('base_url').notNull(),
    /** AES-256-GCM: base64 of iv ‖ auth tag ‖ ciphertext. */
    credentialsEncrypted: text('credentials_encrypted').notNull(),
    /** Which key sealed the credentials, so keys can rotate. */
    credentialsKeyId: text('credentials_key_id').notNull(),
    config: jsonb('config').notNull(),
    schedule: text('schedule'),
    enabled: boolean('enabled').notNull().default(false),
    lastTestOk: boolean('last_test_ok'),
    lastTestAt: timestamp('last_test_at', { withTimezone: true }),
    lastTestError: text('last_test_error'),
    /** The start of the last cron tick that triggered a run, so several backends fire once per tick. */
    lastScheduledAt: timestamp('last_scheduled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Soft delete: raw and normalized rows keep pointing at it. */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    index('integrations_tenant_idx').on(t.tenantId),
    check('integrations_type_check', sql`${t.type} in ('jira', 'github')`),
  ],
);
