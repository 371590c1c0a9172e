import type pg from 'pg';
import { Histogram, type Registry } from '@tributary/observability';
import { observeJobEnds } from '../jobs/job-state.ts';

/** Job durations from seconds to hours (a first full Jira load can take a while). */
export const JOB_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

/**
 * `tributary_job_duration_seconds`: a histogram of ended jobs' durations by source (integration
 * type) and outcome (FINISHED, FAILED, CANCELLED — each ended attempt of a retried job counts).
 * Observed by the process whose statement ended the job (job-state.ts): with several backends
 * and workers each job end is counted once, in one of them; Prometheus sums the instances
 * (`sum by (source, outcome) (rate(tributary_job_duration_seconds_bucket[5m]))`).
 */
export function registerJobDurationMetrics(
  registry: Registry,
  pool: pg.Pool,
): Histogram<'source' | 'outcome'> {
  const histogram = new Histogram({
    name: 'tributary_job_duration_seconds',
    help: 'Duration of ended jobs (start to end) by source and outcome, observed by the instance that ended them',
    labelNames: ['source', 'outcome'],
    buckets: JOB_DURATION_BUCKETS,
    registers: [registry],
  });
  observeJobEnds(pool, (ended) =>
    histogram.observe({ source: ended.source, outcome: ended.status }, ended.seconds),
  );
  return histogram;
}
