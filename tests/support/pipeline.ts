import { createLogger } from '@tributary/observability';
import type { QueueConnection, Publisher } from '@tributary/queue';
import { startWorker, type RunningWorker } from '../../services/backend/src/workers/worker.ts';
import { loadWorkerConfig } from '../../services/backend/src/workers/worker-config.ts';
import { openBackendQueues, service, startTestBackend, type TestBackend } from './backend.ts';
import { finishJob, insertRunningJob } from './jobs.ts';

/** Backend + an in-process worker + a test publisher, all on one database and one queue prefix. */
export interface TestPipeline {
  backend: TestBackend;
  worker: RunningWorker;
  connection: QueueConnection;
  publisher: Publisher;
  tenant: { id: number; token: string };
  integrationId: number;
  /**
   * Stores raw rows through the raw-data API with the service token. Service writes must name a
   * RUNNING job (security finding 5): records without a `job_id` are stored for a short run of
   * their own — a RUNNING job created for the call and FINISHED right after it, as an extractor's
   * run would, so the integration's one active-job slot stays free for the test's own jobs.
   */
  storeRaw: (
    records: { entity_type: string; external_id: string; raw_data: object; job_id?: number }[],
  ) => Promise<number[]>;
  /** The jobs `storeRaw` created, in order. */
  storeJobIds: number[];
  close: () => Promise<void>;
}

export async function startTestPipeline(workerEnv: Record<string, string> = {}): Promise<TestPipeline> {
  const backend = await startTestBackend();
  const { config } = backend;
  const logger = createLogger('test', { level: process.env.LOG_LEVEL ?? 'silent' });
  const worker = await startWorker(
    loadWorkerConfig({
      DATABASE_URL: config.DATABASE_URL,
      AMQP_URL: config.AMQP_URL,
      QUEUE_PREFIX: config.QUEUE_PREFIX,
      RETRY_TIERS_MS: config.RETRY_TIERS_MS,
      TRANSFORM_MAX_ATTEMPTS: '4',
      WORKER_MIN: '2',
      WORKER_MAX: '4',
      PORT: '0',
      HOST: '127.0.0.1',
      ...workerEnv,
    }),
    logger,
  );
  const queues = await openBackendQueues(config, logger);
  const { connection, publisher } = queues;
  const tenant = await backend.createTenant();
  const integrationId = await backend.createIntegration(tenant.token, 'jira');
  const storeJobIds: number[] = [];
  return {
    backend,
    worker,
    connection,
    publisher,
    tenant,
    integrationId,
    storeJobIds,
    storeRaw: async (records) => {
      const jobId = records.some((r) => r.job_id === undefined)
        ? await insertRunningJob(backend.pool, tenant.id, integrationId)
        : undefined;
      if (jobId !== undefined) storeJobIds.push(jobId);
      try {
        const response = await backend.app.inject({
          method: 'POST',
          url: '/api/v1/etl/raw-data/batch',
          headers: service(tenant.id),
          payload: {
            records: records.map((r) => ({
              integration_id: integrationId,
              extraction_metadata: {},
              ...r,
              job_id: r.job_id ?? jobId,
            })),
          },
        });
        if (response.statusCode !== 200) throw new Error(`store failed: ${response.body}`);
        return response.json<{ records: { record_id: number }[] }>().records.map((r) => r.record_id);
      } finally {
        if (jobId !== undefined) await finishJob(backend.pool, jobId);
      }
    },
    close: async () => {
      await worker.stop();
      await queues.close();
      await backend.close();
    },
  };
}
