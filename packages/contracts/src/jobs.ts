import { z } from 'zod';
import { streamNameSchema } from './entity-types.ts';

export const JOB_STATUSES = ['PENDING', 'RUNNING', 'PAUSED', 'FINISHED', 'FAILED', 'CANCELLED'] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** A job in one of these holds its integration: at most one per integration (a partial unique index). */
export const ACTIVE_JOB_STATUSES = ['PENDING', 'RUNNING', 'PAUSED'] as const satisfies readonly JobStatus[];

/**
 * The legal moves of DESIGN §6, the only place they are written down.
 * PENDING → CANCELLED covers cancelling a queued run; RUNNING → PENDING is a
 * redelivered extract message taking the job back after its extractor died.
 */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  PENDING: ['RUNNING', 'CANCELLED', 'FAILED'],
  RUNNING: ['FINISHED', 'FAILED', 'CANCELLED', 'PAUSED', 'PENDING'],
  PAUSED: ['RUNNING', 'CANCELLED', 'FAILED'],
  FAILED: ['PENDING'],
  FINISHED: [],
  CANCELLED: [],
};

/** Whether a job may move from one status to another. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export const runModeSchema = z.enum(['incremental', 'full']);
export type RunMode = z.infer<typeof runModeSchema>;

export const triggerRunBodySchema = z
  .strictObject({
    streams: z.array(streamNameSchema).min(1).max(20).optional(),
    mode: runModeSchema.default('incremental'),
  })
  .default({ mode: 'incremental' });
export type TriggerRunBody = z.infer<typeof triggerRunBodySchema>;

export const listJobsQuerySchema = z.object({
  // `?status=failed` means FAILED: a person should not have to know the case.
  status: z
    .preprocess((value) => (typeof value === 'string' ? value.toUpperCase() : value), jobStatusSchema)
    .optional(),
  integration_id: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before_id: z.coerce.number().int().positive().optional(),
});
export type ListJobsQuery = z.infer<typeof listJobsQuerySchema>;
