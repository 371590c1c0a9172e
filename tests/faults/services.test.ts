import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectSettled, startFaultStack, withLogs, type FaultStack } from './support/harness.ts';
import { installSleepTriggers, setSleep, waitForSleepingWorker } from './support/db-faults.ts';
import { waitFor } from '../support/wait.ts';

// Fault 7: the backend SIGKILLed and restarted during extraction.
// Fault 11: SIGTERM to each service mid-work: in-flight work is finished or handed
// back, the process exits cleanly, and nothing is processed twice.
let fault: FaultStack;

beforeAll(async () => {
  fault = await startFaultStack({ simulator: { SIM_JIRA_ISSUES: '2000', SIM_LATENCY_MS: '100' } });
  await installSleepTriggers(fault.pool);
});

afterAll(async () => {
  await fault?.close();
});

describe('fault 7: backend SIGKILLed during extraction', () => {
  it('the extractor waits for it (breaker), the run resumes when it is back and loads everything once', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      const jobId = await fault.startRun(jira);
      await fault.waitIssuesStored(jobId, 300);
      await fault.stack.kill('backend');
      await sleep(5_000);
      await fault.stack.start('backend');
      await expectSettled(fault, jobId, jira);
    });
  });
});

describe('fault 11: SIGTERM mid-work', () => {
  it('extractor: finishes or hands back its job, exits 0; the run completes once', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      const jobId = await fault.startRun(jira);
      await fault.waitIssuesStored(jobId, 300);
      expect(await fault.stack.terminate('extract')).toBe(0);
      await fault.stack.start('extract');
      await expectSettled(fault, jobId, jira);
    });
  });

  it('worker: the batch in its transaction commits and is acked before exit 0; nothing is loaded twice', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      await setSleep(fault.pool, 'before_commit', 3000);
      const jobId = await fault.startRun(jira);
      await waitForSleepingWorker(fault.pool, 'update raw_extraction_data set status');
      const terminating = fault.stack.terminate('worker');
      // SIGTERM has arrived while the batch sleeps in its transaction: the worker's first shutdown
      // step closes its HTTP side, so a refused health check is the signal (not a 200 ms guess).
      await waitFor(
        async () =>
          fetch(new URL('/healthz', fault.stack.urls.worker)).then(
            () => false,
            () => true,
          ),
        10_000,
        'the worker to begin its shutdown',
      );
      await setSleep(fault.pool, 'before_commit', 0);
      expect(await terminating).toBe(0);
      await fault.stack.start('worker');
      await expectSettled(fault, jobId, jira);
    });
  });

  it('backend: closes and exits 0; the extractor waits, the run completes once it is back', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      const jobId = await fault.startRun(jira);
      await fault.waitIssuesStored(jobId, 300);
      expect(await fault.stack.terminate('backend')).toBe(0);
      await sleep(2_000);
      await fault.stack.start('backend');
      await expectSettled(fault, jobId, jira);
    });
  });
});
