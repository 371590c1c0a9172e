import { z } from 'zod';
import { idSchema, jsonObjectSchema } from './common.ts';
import { entityTypeSchema, streamNameSchema } from './entity-types.ts';
import { jobErrorCodeSchema } from './job-errors.ts';
import { jobStatusSchema } from './jobs.ts';
import { streamProgressSchema } from './progress.ts';
import { MAX_RAW_BATCH, rawBatchResultSchema, rawRecordSchema } from './raw-data.ts';

// The extractor's internal API (`/internal/v1/*`): every body and answer is parsed on both sides.

/** An integration as the extractor runs it: credentials decrypted, served only for its RUNNING job. */
export const integrationWithCredentialsSchema = z.object({
  id: idSchema,
  tenant_id: idSchema,
  type: z.enum(['jira', 'github']),
  name: z.string(),
  base_url: z.string(),
  config: jsonObjectSchema,
  credentials: jsonObjectSchema,
});
export type IntegrationWithCredentials = z.infer<typeof integrationWithCredentialsSchema>;

/** The cursor of one stream × scope. */
export const syncStateRowSchema = z.object({
  stream: z.string(),
  scope: z.string(),
  cursor: z.string().nullable(),
  etag: z.string().nullable(),
});
export type SyncStateRow = z.infer<typeof syncStateRowSchema>;
export const syncStateAnswerSchema = z.object({ sync_state: z.array(syncStateRowSchema) });

export const saveSyncStateBodySchema = z.strictObject({
  stream: z.string().min(1).max(100),
  scope: z.string().max(500).default(''),
  // A GitHub pull-request walk in progress carries its place and up to 148 reviews still waiting
  // for their comments lookup (connectors/github/walk.ts): a few KiB.
  cursor: z.string().max(16_000).nullable(),
  etag: z.string().max(500).nullable().optional(),
  /** The job that reached this position (recorded on the job too, for a full run's resume). */
  job_id: idSchema.optional(),
});
export type SaveSyncStateBody = z.input<typeof saveSyncStateBodySchema>;

/** What the extractor learns at each heartbeat. */
export const jobControlStateSchema = z.object({ status: jobStatusSchema, cancel_requested: z.boolean() });
export type JobControlState = z.infer<typeof jobControlStateSchema>;

const checkpointsSchema = z.record(
  z.string(),
  z.object({ cursor: z.string().nullable(), etag: z.string().nullable() }),
);

/** The part of a job's wire form the extractor reads (claim, state moves); the rest is let through. */
export const internalJobSchema = z.looseObject({
  id: idSchema,
  status: jobStatusSchema,
  checkpoints: checkpointsSchema.default({}),
  progress: z.record(z.string(), z.unknown()).default({}),
});
export type InternalJob = z.infer<typeof internalJobSchema>;

export const failJobBodySchema = z.strictObject({
  error: z.string().min(1).max(4000),
  /** False for failures a retry cannot fix (credentials rejected). */
  retryable: z.boolean().default(true),
  code: jobErrorCodeSchema.optional(),
});
export type FailJobBody = z.input<typeof failJobBodySchema>;

export const pauseJobBodySchema = z.strictObject({ reason: z.string().min(1).max(1000) });
export const progressBodySchema = z.strictObject({ progress: z.record(z.string(), z.unknown()) });

/** A record of a page: the batch API's record fields; integration, job and entity type come from the page. */
export const pageRecordSchema = rawRecordSchema.pick({
  external_id: true,
  raw_data: true,
  extraction_metadata: true,
});
export type PageRecord = z.input<typeof pageRecordSchema>;

/** Where the stream stands once this page is stored (saved in the same transaction as its records). */
export const pageCheckpointSchema = z.strictObject({
  scope: z.string().max(500).default(''),
  // A GitHub pull-request walk in progress carries its place and up to 148 reviews still waiting
  // for their comments lookup (connectors/github/walk.ts): a few KiB.
  cursor: z.string().max(16_000).nullable(),
  etag: z.string().max(500).nullable().optional(),
});

/**
 * `POST /internal/v1/jobs/:id/pages`: one source page (or a part of one too large for one body) —
 * its records, the cursor reached after it, and the stream's progress before it. The backend stores
 * the records, writes their outbox rows, saves the cursor and the progress (plus this page's counts)
 * in one transaction, and publishes the transform messages after the commit.
 */
export const pageBodySchema = z.strictObject({
  stream: streamNameSchema,
  entity_type: entityTypeSchema,
  records: z.array(pageRecordSchema).max(MAX_RAW_BATCH),
  checkpoint: pageCheckpointSchema.optional(),
  /** The stream's progress before this page; the backend adds what storing the page did. */
  progress: streamProgressSchema,
  /** False for the leading parts of a page split over several calls: only the last counts as a page. */
  page_complete: z.boolean().default(true),
});
export type PageBody = z.input<typeof pageBodySchema>;

/** One result per record, in order (as the batch API), and the stream's progress now. */
export const pageResultSchema = rawBatchResultSchema.extend({ progress: streamProgressSchema });
export type PageResult = z.infer<typeof pageResultSchema>;
