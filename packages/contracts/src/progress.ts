import { z } from 'zod';

/**
 * What a run did with one entity type of one stream. `seen` records came from the
 * source; each was `new` (content not stored before, so it will be transformed),
 * `unchanged` (identical content already stored: a full re-run of unchanged data is
 * all unchanged, 0 new) or `failed` (refused by the raw layer).
 */
export const entityProgressSchema = z.object({
  seen: z.number().int().min(0),
  new: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  failed: z.number().int().min(0),
});
export type EntityProgress = z.infer<typeof entityProgressSchema>;

/** A stream's progress: pages of records stored, and the counts per entity type (Jira issues and changelogs apart). */
export const streamProgressSchema = z.object({
  pages: z.number().int().min(0),
  entities: z.record(z.string(), entityProgressSchema),
});
export type StreamProgress = z.infer<typeof streamProgressSchema>;

/**
 * Keys of `etl_jobs.progress` that are not streams: `refused_records`, the first records the raw
 * layer refused (written by the backend beside the streams' counts).
 */
export const JOB_PROGRESS_NON_STREAM_KEYS: readonly string[] = ['refused_records'];

/** `etl_jobs.progress` on the wire: stream name → its progress (the non-stream keys left out). */
export const jobProgressSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value).filter(([key]) => !JOB_PROGRESS_NON_STREAM_KEYS.includes(key)),
        )
      : value,
  z.record(z.string(), streamProgressSchema),
);
export type JobProgress = z.infer<typeof jobProgressSchema>;
