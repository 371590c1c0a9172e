import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultStack, withLogs, type FaultStack } from './support/harness.ts';
import { installSleepTriggers, setSleep, waitForSleepingWorker } from './support/db-faults.ts';
import { queueDepths } from './support/queues.ts';
import { waitFor } from '../support/wait.ts';

// Fault 3: a transform worker SIGKILLed mid-batch, before and after its commit.
// Test-only triggers make the worker sleep at the exact point, so the kill is not left to timing.
let fault: FaultStack;

beforeAll(async () => {
  fault = await startFaultStack({ simulator: { SIM_JIRA_ISSUES: '300', SIM_GITHUB_PRS: '40' } });
  await installSleepTriggers(fault.pool);
});

afterAll(async () => {
  await fault?.close();
});

describe('fault 3: transform worker SIGKILLed mid-batch', () => {
  it('killed inside the batch transaction (before commit): the batch rolls back, is redelivered, loads once', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      await setSleep(fault.pool, 'before_commit', 6000);
      const jobId = await fault.startRun(jira);
      await waitForSleepingWorker(fault.pool, 'update raw_extraction_data set status');
      await fault.stack.kill('worker');
      await setSleep(fault.pool, 'before_commit', 0);
      await fault.stack.start('worker');
      const job = await fault.waitJob(jobId);
      expect(job).toMatchObject({ status: 'FINISHED', error: null, records_failed: 0 });
      await fault.expectMatchesTruth({ jira });
      expect(job.records_transformed).toBe(
        await fault.count('select 1 from raw_extraction_data where job_id = $1', [jobId]),
      );
      expect(await fault.deadLetters()).toEqual([]);
    });
  });

  it('killed after the commit, before the ack: the redelivered message is a no-op', async () => {
    await withLogs(fault, async () => {
      const github = await fault.register('github');
      // No worker while the run extracts: the whole backlog is waiting when it starts,
      // so the worker (not the extractor's "extraction finished") commits last and
      // finishes the job — in the statement the trigger makes sleep.
      await fault.stack.kill('worker');
      const jobId = await fault.startRun(github);
      await waitFor(
        async () =>
          ((await fault.job(jobId)) as { extraction_finished_at?: string | null }).extraction_finished_at,
        120_000,
        'extraction to finish',
      );
      await setSleep(fault.pool, 'after_commit', 6000);
      await fault.stack.start('worker');
      await waitForSleepingWorker(fault.pool, 'update etl_jobs set status');
      // The batch is committed (its rows are completed), the message not yet acked.
      expect(
        await fault.count(`select 1 from raw_extraction_data where job_id = $1 and status = 'pending'`, [
          jobId,
        ]),
      ).toBe(0);
      await fault.stack.kill('worker');
      await setSleep(fault.pool, 'after_commit', 0);
      await fault.stack.start('worker');
      const job = await fault.waitJob(jobId);
      expect(job).toMatchObject({ status: 'FINISHED', error: null, records_failed: 0 });
      // Redelivered and handled again: every raw row still transformed exactly once.
      await fault.expectMatchesTruth({ github });
      expect(job.records_transformed).toBe(
        await fault.count('select 1 from raw_extraction_data where job_id = $1', [jobId]),
      );
      await waitFor(
        async () => {
          const depths = await queueDepths(fault.amqpUrl, fault.prefix);
          return depths.transform === 0 && depths.dead === 0 ? depths : null;
        },
        30_000,
        'transform queue to drain',
      );
      expect(await fault.deadLetters()).toEqual([]);
    });
  });
});
