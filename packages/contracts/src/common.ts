import { z } from 'zod';

/** Database ids travel as JSON numbers; bigserial values stay well under 2^53. */
export const idSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Ids in a URL path arrive as text. */
export const idParamSchema = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

/** A JSON object (not an array, not null): what raw payloads and metadata must be. */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const paginationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Keyset pagination: rows with an id below this one (lists are newest first). */
  before_id: z.coerce.number().int().positive().optional(),
});
