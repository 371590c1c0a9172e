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
export const rawBatchResultSchema = z.object({ records: z.array(storedRecordSchema) });
export type StoredRecord = z.infer<typeof storedRecordSchema>;
