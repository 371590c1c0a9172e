import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultStack, withLogs, type FaultStack } from './support/harness.ts';
import { startRabbit, type FaultRabbit } from './support/rabbit.ts';

// Starting a run while the broker is stopped: the caller hears so at once (503 +
// Retry-After, not a request hanging on the broker), the job waits PENDING, and the
// scheduler's republisher sends it once the broker is back. A broker of this file's own.
let rabbit: FaultRabbit;
let fault: FaultStack;

beforeAll(async () => {
  rabbit = await startRabbit();
  fault = await startFaultStack({
    amqpUrl: rabbit.url,
    // PENDING jobs are republished after 3 s (default: 2 min) so the test need not wait.
    env: { backend: { JOB_PENDING_REPUBLISH_SECONDS: '3' } },
    simulator: { SIM_JIRA_ISSUES: '60' },
  });
});

afterAll(async () => {
  await fault?.close();
  await rabbit?.cleanup();
});

describe('POST /runs with the broker stopped', () => {
  it('answers 503 with Retry-After within 5 s; the job stays PENDING and runs once the broker is back', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      await rabbit.stop();
      // The request must be answered within 5 s: past that the client gives up and the test fails.
      const response = await fetch(`${fault.stack.urls.backend}/api/v1/integrations/${jira}/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fault.api.token}`, 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(5000),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('30');
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('UNAVAILABLE');
      const jobId = Number(/job (\d+) was created but not queued yet/.exec(body.error.message)?.[1]);
      expect(body.error.message).toContain('message broker unavailable; it stays PENDING');
      const pending = await fault.job(jobId);
      expect(pending).toMatchObject({ status: 'PENDING', error: null });
      // A second start is refused while that job is active: nothing runs twice.
      const again = await fault.api.request('POST', `/api/v1/integrations/${jira}/runs`, {});
      expect(again.status).toBe(409);

      await rabbit.start();
      const finished = await fault.waitJob(jobId, 120_000);
      expect(finished).toMatchObject({ status: 'FINISHED', error: null });
      await fault.expectMatchesTruth({ jira });
    });
  });
});
