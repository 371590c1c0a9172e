import { sql } from 'drizzle-orm';
import { bigserial, bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';
import { integrations } from './integrations.ts';

/**
 * Every API response record exactly as it came, one row per entity version.
 * Also the outbox: a row is `pending` until a worker has loaded it, and the
 * sweeper republishes rows left pending.
 */
export const rawExtractionData = pgTable(
  'raw_extraction_data',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: bigint('tenant_id', { mode: 'number' })
      .notNull()
      .references(() => tenants.id),
    integrationId: bigint('integration_id', { mode: 'number' })
      .notNull()
      .references(() => integrations.id),
    jobId: bigint('job_id', { mode: 'number' }),
    entityType: text('entity_type').notNull(),
    externalId: text('external_id').notNull(),
    rawData: jsonb('raw_data').notNull(),
    extractionMetadata: jsonb('extraction_metadata').notNull().default({}),
    contentHash: text('content_hash').notNull(),
    status: text('status').notNull().default('pending'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When a transform job for it was last published (by the extractor or the sweeper). */
    publishedAt: timestamp('published_at', { withTimezone: true }),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    // Identical content for the same entity is stored once.
    uniqueIndex('raw_extraction_data_content_key').on(
      t.tenantId,
      t.integrationId,
      t.entityType,
      t.externalId,
      t.contentHash,
    ),
    index('raw_extraction_data_pending_idx')
      .on(t.createdAt)
      .where(sql`status = 'pending'`),
    index('raw_extraction_data_job_idx').on(t.jobId, t.status),
    check('raw_extraction_data_status_check', sql`${t.status} in ('pending', 'completed', 'failed')`),
  ],
);
