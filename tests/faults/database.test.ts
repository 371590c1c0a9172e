import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultStack, withLogs, type FaultStack } from './support/harness.ts';
import { startPostgres, type FaultPostgres } from './support/postgres.ts';
import { installSleepTriggers, setSleep, waitForSleepingWorker } from './support/db-faults.ts';
import { ApiClient } from '../support/api-client.ts';
import { waitFor } from '../support/wait.ts';

// Fault 5: Postgres stopped (`pg_ctl stop -m immediate`) for 30 s during a run.
// A Postgres cluster of this file's own; the shared one on 5432 is never touched.
let pgFault: FaultPostgres;
let fault: FaultStack;

beforeAll(async () => {
  pgFault = await startPostgres();
  fault = await startFaultStack({
    databaseUrl: pgFault.url,
    simulator: { SIM_JIRA_ISSUES: '2000', SIM_LATENCY_MS: '100' },
    // Threshold 1: the one transform batch held in flight below is enough to open the breaker.
    env: { worker: { WORKER_DB_CB_THRESHOLD: '1', WORKER_DB_CB_OPEN_SECONDS: '3' } },
  });
  await installSleepTriggers(fault.pool);
});

afterAll(async () => {
  await fault?.close();
  await pgFault?.cleanup();
});

describe('fault 5: Postgres down for 30 s during a run', () => {
  it('backend answers 503, extractor and worker breakers open and wait, everything resumes and loads once', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      const jobId = await fault.startRun(jira);
      await fault.waitIssuesStored(jobId, 300);
      // A transform batch is in flight when the database goes (not left to timing): its status
      // update sleeps inside the batch transaction. Later statements do not sleep.
      await setSleep(fault.pool, 'before_commit', 120_000);
      await waitForSleepingWorker(fault.pool, 'update raw_extraction_data');
      await setSleep(fault.pool, 'before_commit', 0);
      await pgFault.stopImmediate();
      const downAt = Date.now();

      // The backend says "unavailable", not "internal error".
      const answer = await waitFor(async () => {
        const { status } = await fault.api.request('GET', `/api/v1/jobs/${jobId}`);
        return status >= 500 ? status : null;
      }, 20_000);
      expect(answer).toBe(503);
      // The extractor's breaker to the backend opens: the run waits instead of failing.
      const extract = new ApiClient(fault.stack.urls.extract, fault.stack.adminToken);
      await waitFor(
        async () => {
          const { breakers } = await extract.ok<{ breakers: { name: string; state: string }[] }>(
            'GET',
            '/breakers',
          );
          return breakers.find((b) => b.name === 'backend' && b.state === 'OPEN');
        },
        25_000,
        "the extractor's backend breaker to open",
      );
      // The worker's database breaker opens and its transform consumer stops taking messages.
      const worker = new ApiClient(fault.stack.urls.worker, 'unused');
      await waitFor(
        async () =>
          (await worker.ok<{ database_breaker?: string }>('GET', '/healthz')).database_breaker === 'OPEN',
        25_000,
        "the worker's database breaker to open",
      );

      await sleep(Math.max(0, 30_000 - (Date.now() - downAt)));
      await pgFault.start();
      const job = await fault.waitJob(jobId, 240_000);
      expect(job).toMatchObject({ status: 'FINISHED', error: null, records_failed: 0 });
      await fault.expectMatchesTruth({ jira }, { transformedOnce: true });
      expect(await fault.deadLetters()).toEqual([]);
      expect((await worker.ok<{ database_breaker?: string }>('GET', '/healthz')).database_breaker).toBe(
        'CLOSED',
      );
    });
  });
});
