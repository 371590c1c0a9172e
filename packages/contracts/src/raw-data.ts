import { z } from 'zod';
import { entityTypeSchema } from './entity-types.ts';
import { idSchema, jsonObjectSchema } from './common.ts';

/** Most batches the extractor sends are ≤ 500; the API accepts up to this many. */
export const MAX_RAW_BATCH = 1000;

export const rawRecordSchema = z.strictObject({
  integration_id: idSchema,
  entity_type: entityTypeSchema,
  external_id: z.string().min(1).max(255),
  raw_data: jsonObjectSchema,
  extraction_metadata: jsonObjectSchema.default({}),
  /** The run that fetched it; optional so a one-off store needs no job. */
  job_id: idSchema.nullable().optional(),
});
export type RawRecord = z.infer<typeof rawRecordSchema>;

export const rawBatchBodySchema = z.strictObject({
  records: z.array(rawRecordSchema).min(1).max(MAX_RAW_BATCH),
});
export type RawBatchBody = z.infer<typeof rawBatchBodySchema>;

export const storedRecordSchema = z.object({ record_id: idSchema, unchanged: z.boolean() });
export type StoredRecord = z.infer<typeof storedRecordSchema>;

/**
 * A record the raw layer cannot hold (nested too deep, too large, text Postgres refuses): refused
 * alone, the rest of the batch is stored. The backend counts it on the job and archives it as a
 * dead letter; the caller must not retry it.
 */
export const refusedRecordSchema = z.object({
  external_id: z.string(),
  error: z.object({ code: z.string(), message: z.string() }),
});
export type RefusedRecord = z.infer<typeof refusedRecordSchema>;

/** One answer per input record, in input order. */
export const rawBatchResultSchema = z.object({
  records: z.array(z.union([storedRecordSchema, refusedRecordSchema])),
});
export type RawBatchResult = z.infer<typeof rawBatchResultSchema>;
export type RawBatchItemResult = RawBatchResult['records'][number];

export const isRefusedRecord = (item: RawBatchItemResult): item is RefusedRecord => 'error' in item;
