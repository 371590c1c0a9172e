import { z } from 'zod';
import { jobProgressSchema } from '@tributary/contracts';

/**
 * The parts of a job (GET /api/v1/jobs[/:id]) the jobs commands print. The record counts say
 * what a run did: seen from the source; of them new (stored now), unchanged (already stored
 * with the same content) and failed.
 */
export const jobSchema = z.object({
  id: z.number(),
  integration_id: z.number(),
  status: z.string(),
  mode: z.string().optional(),
  streams: z.array(z.string()).optional(),
  progress: z.unknown().optional(),
  records_seen: z.number().default(0),
  records_extracted: z.number(),
  records_unchanged: z.number().default(0),
  records_transformed: z.number(),
  records_failed: z.number(),
  error: z.string().nullable(),
  error_code: z.string().nullable().optional(),
  created_at: z.string().optional(),
  finished_at: z.string().nullable().optional(),
});
export type JobSummary = z.infer<typeof jobSchema>;
export const jobListSchema = z.object({ jobs: z.array(jobSchema) });

const counts = (c: { seen: number; new: number; unchanged: number; failed: number }) =>
  `seen ${c.seen}\tnew ${c.new}\tunchanged ${c.unchanged}\tfailed ${c.failed}`;

/** One line of `jobs list`. */
export function jobLine(job: JobSummary): string {
  const error = job.error ? `\t${job.error_code ? `${job.error_code}: ` : ''}${job.error}` : '';
  return `${job.id}\tintegration ${job.integration_id}\t${job.status}\t${counts({ seen: job.records_seen, new: job.records_extracted, unchanged: job.records_unchanged, failed: job.records_failed })}\ttransformed ${job.records_transformed}${error}`;
}

/** `jobs show`: the job's line, then one line per stream and entity type. */
export function jobDetail(job: JobSummary): string[] {
  const lines = [jobLine(job)];
  if (job.mode) lines.push(`mode ${job.mode}${job.finished_at ? `\tfinished ${job.finished_at}` : ''}`);
  const progress = jobProgressSchema.safeParse(job.progress ?? {});
  for (const [stream, p] of Object.entries(progress.success ? progress.data : {})) {
    for (const [entityType, c] of Object.entries(p.entities))
      lines.push(`  ${stream}\t${entityType}\t${counts(c)}`);
  }
  return lines;
}
