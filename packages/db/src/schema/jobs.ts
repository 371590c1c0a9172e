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
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { tenantRef, integrationRef } from './references.ts';

export const etlJobs = pgTable(
  'etl_jobs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: tenantRef(),
    integrationId: integrationRef(),
    status: text('status').notNull().default('PENDING'),
    mode: text('mode').notNull().default('incremental'),
    streams: jsonb('streams').$type<string[]>().notNull(),
    /** manual | schedule | retry */
    trigger: text('trigger').notNull().default('manual'),
    /**
     * The positions this job reached (`stream|scope` → cursor, etag), so a full run taken
     * over after its extractor died resumes where it was instead of starting again.
     */
    checkpoints: jsonb('checkpoints')
      .$type<Record<string, { cursor: string | null; etag: string | null }>>()
      .notNull()
      .default({}),
    progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default({}),
    recordsExtracted: bigint('records_extracted', { mode: 'number' }).notNull().default(0),
    recordsTransformed: bigint('records_transformed', { mode: 'number' }).notNull().default(0),
    recordsFailed: bigint('records_failed', { mode: 'number' }).notNull().default(0),
    error: text('error'),
    /** CONFIG_INVALID | CREDENTIALS_REJECTED | SOURCE_UNREACHABLE | RATE_LIMITED | SOURCE_ERROR (with `error`). */
    errorCode: text('error_code'),
    pauseReason: text('pause_reason'),
    /** user | system: a run paused by a person is resumed only by a person. */
    pausedBy: text('paused_by'),
    cancelRequested: timestamp('cancel_requested_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    nextRetryAt: timestamp('next_retry_at', { withTimezone: true }),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    extractionFinishedAt: timestamp('extraction_finished_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('etl_jobs_tenant_idx').on(t.tenantId, t.id),
    index('etl_jobs_status_idx').on(t.status),
    // The database, not the application, guarantees one active job per integration.
    uniqueIndex('etl_jobs_one_active_per_integration')
      .on(t.integrationId)
      .where(sql`status in ('PENDING', 'RUNNING', 'PAUSED')`),
    check(
      'etl_jobs_status_check',
      sql`${t.status} in ('PENDING', 'RUNNING', 'PAUSED', 'FINISHED', 'FAILED', 'CANCELLED')`,
    ),
    check('etl_jobs_mode_check', sql`${t.mode} in ('incremental', 'full')`),
    // What raw_extraction_data's job foreign key points at (migration 0007).
    unique('etl_jobs_id_tenant_integration_key').on(t.id, t.tenantId, t.integrationId),
  ],
);

export const syncState = pgTable(
  'sync_state',
  {
    tenantId: tenantRef(),
    integrationId: integrationRef(),
    stream: text('stream').notNull(),
    /** What the cursor is per: a repository, a project, or '' for the whole integration. */
    scope: text('scope').notNull().default(''),
    cursor: text('cursor'),
    etag: text('etag'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sync_state_key').on(t.integrationId, t.stream, t.scope)],
);
