import { sql } from 'drizzle-orm';
import {
  bigserial,
  bigint,
  check,
  foreignKey,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { etlJobs } from './jobs.ts';
import { tenantRef, integrationRef } from './references.ts';

/**
 * Every API response record exactly as it came, one row per entity version,
 * with its processing status. No index covers the status columns, so marking a
 * row completed can be a HOT update (no index writes) when the new row version
 * fits on its page: the partitions keep half of each page free for that
 * (fillfactor 50, migration 0013, hand-written: drizzle-kit does not model
 * storage parameters). "Which rows are pending" is answered by `raw_outbox`.
 *
 * Partitioned by HASH (tenant_id) into 8 partitions (migration 0008, written by
 * hand: drizzle-kit does not model partitioning), so the primary key is
 * (tenant_id, id) — a partitioned table's unique keys contain the partition key.
 * Old versions are pruned by the worker (workers/raw-retention.ts).
 */
export const rawExtractionData = pgTable(
  'raw_extraction_data',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    tenantId: tenantRef(),
    integrationId: integrationRef(),
    jobId: bigint('job_id', { mode: 'number' }),
    entityType: text('entity_type').notNull(),
    externalId: text('external_id').notNull(),
    // `json`, not `jsonb` (migration 0014): the text exactly as the source sent it (key order
    // included), checked but not rebuilt on the way in, and handed back by a copy on the way out —
    // every transform batch reads it whole, and jsonb's text output cost more than the upsert.
    // Kept out of the heap row even when compressed small (toast_tuple_target, migration 0014).
    // Compressed with lz4, not pglz (migrations 0012 and 0014, hand-written: drizzle-kit does not
    // model compression).
    rawData: json('raw_data').notNull(),
    extractionMetadata: jsonb('extraction_metadata').notNull().default({}),
    contentHash: text('content_hash').notNull(),
    status: text('status').notNull().default('pending'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'raw_extraction_data_pkey', columns: [t.tenantId, t.id] }),
    // Status updates of a batch and cascades look rows up by id alone.
    index('raw_extraction_data_id_idx').on(t.id),
    // Identical content for the same entity is stored once.
    uniqueIndex('raw_extraction_data_content_key').on(
      t.tenantId,
      t.integrationId,
      t.entityType,
      t.externalId,
      t.contentHash,
    ),
    check('raw_extraction_data_status_check', sql`${t.status} in ('pending', 'completed', 'failed')`),
    // A raw row's job belongs to the same tenant and integration (migration 0007, NOT VALID for old rows).
    foreignKey({
      name: 'raw_extraction_data_job_scope_fk',
      columns: [t.jobId, t.tenantId, t.integrationId],
      foreignColumns: [etlJobs.id, etlJobs.tenantId, etlJobs.integrationId],
    }),
  ],
);

/**
 * The outbox: one row per raw row still waiting to be loaded, written in the same
 * statement that stores the raw row and deleted in the transaction that loads it.
 * The backend publishes its transform message after the commit that wrote it and
 * stamps `published_at` once the broker confirmed; the relay publishes only rows
 * never confirmed whose claim has run out. A job is finished when none of its rows
 * are left here.
 */
export const rawOutbox = pgTable(
  'raw_outbox',
  {
    rawId: bigint('raw_id', { mode: 'number' }).primaryKey(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    integrationId: bigint('integration_id', { mode: 'number' }).notNull(),
    entityType: text('entity_type').notNull(),
    jobId: bigint('job_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the broker confirmed a transform message for it: never published again after that. */
    publishedAt: timestamp('published_at', { withTimezone: true }),
    /** A publisher (after commit, or a relay) holds it until then; an expired claim is the relay's to take. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
  },
  (t) => [
    // The relay's scan: only rows never confirmed, which a healthy pipeline keeps near empty.
    index('raw_outbox_unpublished_idx')
      .on(t.rawId)
      .where(sql`published_at is null`),
    index('raw_outbox_job_idx').on(t.jobId),
    index('raw_outbox_created_idx').on(t.createdAt),
    foreignKey({
      name: 'raw_outbox_raw_id_raw_extraction_data_id_fk',
      columns: [t.tenantId, t.rawId],
      foreignColumns: [rawExtractionData.tenantId, rawExtractionData.id],
    }).onDelete('cascade'),
  ],
);
