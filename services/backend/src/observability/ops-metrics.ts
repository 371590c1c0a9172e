import type pg from 'pg';
import { Gauge, type Registry } from '@tributary/observability';
import type { QueueConnection } from '@tributary/queue';

/**
 * The operator's numbers on the backend's `/metrics`, read when Prometheus scrapes: they
 * come from the database and the broker, so every backend replica reports the same
 * truth no matter which process did the work. Per integration and stream: records seen,
 * new (stored), unchanged, failed (from the jobs' progress); per integration: records
 * transformed; jobs by outcome and the last duration; dead letters by entity type and
 * status; queue depth and consumers per queue. (The job-duration histogram is not here: it is
 * observed where a job ends, job-metrics.ts.)
 */
export function registerOpsMetrics(
  registry: Registry,
  pool: pg.Pool,
  connection: () => QueueConnection | undefined,
): void {
  // A database that is down leaves these series empty; the process metrics are still served.
  const rowsOf = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => {
    try {
      return (await pool.query<T>(sql)).rows;
    } catch {
      return [];
    }
  };
  new Gauge({
    name: 'tributary_records',
    help: 'Records per integration, stream and entity type over all jobs, by what became of them (seen, new, unchanged, failed)',
    labelNames: ['integration_id', 'stream', 'entity_type', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await rowsOf<{
        integration_id: string;
        stream: string;
        entity_type: string;
        seen: string;
        new: string;
        unchanged: string;
        failed: string;
      }>(
        `select j.integration_id::text, s.key as stream, e.key as entity_type,
                sum((e.value->>'seen')::bigint) as seen, sum((e.value->>'new')::bigint) as new,
                sum((e.value->>'unchanged')::bigint) as unchanged, sum((e.value->>'failed')::bigint) as failed
         from etl_jobs j, jsonb_each(j.progress) s, jsonb_each(case when jsonb_typeof(s.value->'entities') = 'object' then s.value->'entities' else '{}'::jsonb end) e
         group by 1, 2, 3`,
      );
      for (const row of rows) {
        for (const outcome of ['seen', 'new', 'unchanged', 'failed'] as const) {
          this.set(
            { integration_id: row.integration_id, stream: row.stream, entity_type: row.entity_type, outcome },
            Number(row[outcome]),
          );
        }
      }
    },
  });

  new Gauge({
    name: 'tributary_records_transformed',
    help: 'Records loaded into normalized tables and records that failed, per integration, over all jobs',
    labelNames: ['integration_id', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await rowsOf<{ integration_id: string; transformed: string; failed: string }>(
        // With what batches counted and the worker has not folded into the job rows yet.
        `select j.integration_id::text, sum(j.records_transformed + coalesce(c.transformed, 0)) as transformed,
                sum(j.records_failed + coalesce(c.failed, 0)) as failed
         from etl_jobs j
         left join (select job_id, sum(transformed) as transformed, sum(failed) as failed
                    from etl_job_transform_counts group by job_id) c on c.job_id = j.id
         group by 1`,
      );
      for (const row of rows) {
        this.set({ integration_id: row.integration_id, outcome: 'transformed' }, Number(row.transformed));
        this.set({ integration_id: row.integration_id, outcome: 'failed' }, Number(row.failed));
      }
    },
  });

  new Gauge({
    name: 'tributary_jobs',
    help: 'Jobs per integration by status (FINISHED, FAILED, CANCELLED are outcomes)',
    labelNames: ['integration_id', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await rowsOf<{ integration_id: string; status: string; n: string }>(
        'select integration_id::text, status, count(*) as n from etl_jobs group by 1, 2',
      );
      for (const row of rows)
        this.set({ integration_id: row.integration_id, status: row.status }, Number(row.n));
    },
  });

  new Gauge({
    name: 'tributary_job_last_duration_seconds',
    help: "Duration of each integration's last ended job, by its outcome",
    labelNames: ['integration_id', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await rowsOf<{ integration_id: string; status: string; seconds: number }>(
        `select distinct on (integration_id) integration_id::text, status,
                extract(epoch from finished_at - coalesce(started_at, created_at))::float8 as seconds
         from etl_jobs where finished_at is not null order by integration_id, finished_at desc`,
      );
      for (const row of rows)
        this.set({ integration_id: row.integration_id, status: row.status }, row.seconds);
    },
  });

  new Gauge({
    name: 'tributary_dead_letters',
    help: 'Dead letters by entity type and status (dead, replayed, discarded)',
    labelNames: ['entity_type', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await rowsOf<{ entity_type: string | null; status: string; n: string }>(
        'select entity_type, status, count(*) as n from dead_letters group by 1, 2',
      );
      for (const row of rows)
        this.set({ entity_type: row.entity_type ?? 'unknown', status: row.status }, Number(row.n));
    },
  });

  const depth = new Gauge({
    name: 'tributary_queue_messages',
    help: 'Ready messages per queue',
    labelNames: ['queue'],
    registers: [registry],
  });
  new Gauge({
    name: 'tributary_queue_consumers',
    help: 'Consumers per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      depth.reset();
      const current = connection();
      const model = current?.current;
      if (!current || !model) return;
      const queues = [
        current.names.extract,
        current.names.transform,
        current.names.dead,
        ...current.retryTiers.map((t) => current.names.retry(t.label)),
      ];
      try {
        const channel = await model.createChannel();
        channel.on('error', () => undefined);
        try {
          for (const queue of queues) {
            const info = await channel.checkQueue(queue);
            this.set({ queue }, info.consumerCount);
            depth.set({ queue }, info.messageCount);
          }
        } finally {
          await channel.close().catch(() => undefined);
        }
      } catch {
        // Broker going away mid-scrape: report what was read.
      }
    },
  });
}
