import { bigserial, bigint, foreignKey, index, integer, pgTable } from 'drizzle-orm/pg-core';
import { etlJobs } from './jobs.ts';

/**
 * What transform batches add to their jobs' `records_transformed` / `records_failed`, one row per
 * batch and job, written in the batch's own transaction. Not an `update etl_jobs` there: the job
 * row is locked by every page transaction of the job while its extraction runs, and a batch
 * waiting for it held its raw rows (and the next page waited for the batch) — extraction and
 * transformation took turns on one row. The worker folds these rows into `etl_jobs` after each
 * batch commits (`fold-job-transform-counts`); until then reads add them (`JOB_COLUMNS`), so a
 * job's counts are exact at any moment, and one left by a worker killed between the commit and
 * the fold is still counted.
 */
export const etlJobTransformCounts = pgTable(
  'etl_job_transform_counts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    jobId: bigint('job_id', { mode: 'number' }).notNull(),
    transformed: integer('transformed').notNull(),
    failed: integer('failed').notNull(),
  },
  (t) => [
    foreignKey({ columns: [t.jobId], foreignColumns: [etlJobs.id] }).onDelete('cascade'),
    index('etl_job_transform_counts_job_idx').on(t.jobId),
  ],
);
