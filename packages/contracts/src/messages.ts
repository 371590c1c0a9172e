import { z } from 'zod';
import { entityTypeSchema, sourceSchema, streamNameSchema } from './entity-types.ts';
import { idSchema } from './common.ts';
import { runModeSchema } from './jobs.ts';

/** At most this many raw ids ride in one transform message (DESIGN §5). */
export const MAX_TRANSFORM_BATCH = 500;

export const transformMessageSchema = z.strictObject({
  v: z.literal(1),
  tenant_id: idSchema,
  integration_id: idSchema,
  job_id: idSchema.nullable(),
  entity_type: entityTypeSchema,
  raw_ids: z.array(idSchema).min(1).max(MAX_TRANSFORM_BATCH),
});
export type TransformMessage = z.infer<typeof transformMessageSchema>;

export const extractMessageSchema = z.strictObject({
  v: z.literal(1),
  tenant_id: idSchema,
  integration_id: idSchema,
  job_id: idSchema,
  source: sourceSchema,
  streams: z.array(streamNameSchema).min(1),
  mode: runModeSchema,
});
export type ExtractMessage = z.infer<typeof extractMessageSchema>;

/** Routing keys on exchange `etl` (DESIGN §5a). */
export const routingKeys = {
  extract: (source: z.infer<typeof sourceSchema>) => `extract.${source}`,
  transform: (entityType: z.infer<typeof entityTypeSchema>) => `transform.${entityType}`,
} as const;

/**
 * The message catalog: each work queue with the schema its consumer validates
 * against and the routing-key pattern that feeds it.
 */
export const queueCatalog = {
  'etl.extract': { schema: extractMessageSchema, bindingKey: 'extract.*' },
  'etl.transform': { schema: transformMessageSchema, bindingKey: 'transform.*' },
} as const;
export type WorkQueueName = keyof typeof queueCatalog;
