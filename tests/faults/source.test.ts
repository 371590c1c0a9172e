import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultStack, withLogs, type FaultStack } from './support/harness.ts';
import { ApiClient } from '../support/api-client.ts';
import { waitFor } from '../support/wait.ts';

// Fault 10: source faults from the simulator. Within the retry budget the run
// finishes and matches the source; past it the source breaker opens, the run waits
// (SOURCE_BREAKER_WAIT_SECONDS) and then fails with a clear reason; once the source
// is healthy the breaker closes and the next run loads everything once.
let fault: FaultStack;
let extract: ApiClient;

beforeAll(async () => {
  fault = await startFaultStack({
    simulator: { SIM_JIRA_ISSUES: '300' },
    env: {
      extract: {
        SOURCE_TIMEOUT_MS: '1500',
        SOURCE_RETRIES: '6',
        EXTERNAL_CB_THRESHOLD: '5',
        EXTERNAL_CB_TIMEOUT_SECONDS: '2',
        SOURCE_BREAKER_WAIT_SECONDS: '8',
      },
    },
  });
  extract = new ApiClient(fault.stack.urls.extract, fault.stack.adminToken);
});

afterAll(async () => {
  await fault?.close();
});

/** Every injected rule fired as many times as it was set to (`applied` = `count`): none was left unused. */
async function expectEveryFaultFired(): Promise<void> {
  const { rules } = await fault.sim.ok<{
    rules: { path: string; kind: string; count?: number; applied: number }[];
  }>('GET', '/_sim/faults');
  expect(rules.length).toBeGreaterThan(0);
  expect(rules.map((r) => ({ path: r.path, kind: r.kind, applied: r.applied }))).toEqual(
    rules.map((r) => ({ path: r.path, kind: r.kind, applied: r.count })),
  );
}

const jiraBreaker = async (integrationId: number) =>
  (await extract.ok<{ breakers: { name: string; state: string }[] }>('GET', '/breakers')).breakers.find(
    (b) => b.name === `jira:${integrationId}`,
  );

/** Waits until the integration's source breaker is in `state`, as the extractor's /breakers shows it. */
async function jiraBreakerBecomes(integrationId: number, state: 'OPEN' | 'CLOSED', timeoutMs: number) {
  await waitFor(
    async () => (await jiraBreaker(integrationId))?.state === state,
    timeoutMs,
    `the source breaker to ${state === 'OPEN' ? 'open' : 'close'}`,
  );
}

describe('fault 10: source faults', () => {
  it('5xx, 429 + Retry-After, a hang (timeout), a reset and truncated JSON within the budget: the run finishes and matches', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      await fault.sim.ok('POST', '/_sim/faults', [
        { path: '/rest/api/3/search/jql', kind: 'status', status: 503, count: 2 },
        { path: '/rest/api/3/search/jql', kind: 'status', status: 429, retry_after: 1, count: 1 },
        { path: '/rest/api/3/project/search', kind: 'reset', count: 1 },
        { path: '/rest/api/3/status', kind: 'truncated', count: 1 },
        { path: '/rest/api/3/changelog/bulkfetch', kind: 'hang', count: 1 },
        { path: '/rest/api/3/changelog/bulkfetch', kind: 'status', status: 502, count: 1 },
      ]);
      const job = await fault.waitJob(await fault.startRun(jira));
      // Each fault fired (a run that never hit one would prove nothing about it)…
      await expectEveryFaultFired();
      await fault.sim.ok('DELETE', '/_sim/faults');
      // …and none cost the run anything: within the retry budget the breaker never opened.
      expect(job).toMatchObject({ status: 'FINISHED', error: null });
      expect(await jiraBreaker(jira)).toMatchObject({ state: 'CLOSED', rejections: 0 });
      await fault.expectMatchesTruth({ jira });
      expect(await fault.deadLetters()).toEqual([]);
    });
  });

  it('a storm of 6 × 503 opens the breaker (threshold 5): the run waits, probes, closes it and finishes', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      await fault.sim.ok('POST', '/_sim/faults', [
        { path: '/rest/api/3/search/jql', kind: 'status', status: 503, count: 6 },
      ]);
      const jobId = await fault.startRun(jira);
      // The breaker is seen OPEN through the API while the run goes on (it stays open 2 s).
      await jiraBreakerBecomes(jira, 'OPEN', 60_000);
      const job = await fault.waitJob(jobId);
      await expectEveryFaultFired();
      await fault.sim.ok('DELETE', '/_sim/faults');
      expect(job).toMatchObject({ status: 'FINISHED', error: null });
      await jiraBreakerBecomes(jira, 'CLOSED', 20_000);
      await fault.expectMatchesTruth({ jira });
    });
  });

  it('an endless 5xx storm fails the run with a clear reason after the retry budget; healthy again, the next run loads once', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      await fault.sim.ok('POST', '/_sim/faults', [
        { path: '/rest/api/3/search/jql', kind: 'status', status: 503 },
      ]);
      const failedId = await fault.startRun(jira);
      await jiraBreakerBecomes(jira, 'OPEN', 60_000);
      const failed = await fault.waitJob(failedId, 120_000);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatch(
        /^jira: (HTTP 503 from |circuit breaker jira:\d+ open after repeated failures)/,
      );

      await fault.sim.ok('DELETE', '/_sim/faults');
      const job = await fault.waitJob(await fault.startRun(jira));
      expect(job).toMatchObject({ status: 'FINISHED', error: null });
      await jiraBreakerBecomes(jira, 'CLOSED', 20_000);
      // The failed run stored nothing twice; the good one loaded every record once.
      await fault.expectMatchesTruth({ jira });
      expect(await fault.deadLetters()).toEqual([]);
      console.log(`fault 10: endless storm ended the run with: ${failed.error}`);
    });
  });
});
