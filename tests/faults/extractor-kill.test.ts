import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultStack, withLogs, type FaultStack } from './support/harness.ts';
import { waitFor } from '../support/wait.ts';

// Fault 4: the extractor SIGKILLed mid-run: the extract message is redelivered,
// the job resumes from its saved cursor, and no raw row is stored twice.
let fault: FaultStack;

beforeAll(async () => {
  fault = await startFaultStack({
    // 2000 issues at 100 per page with 100 ms per request: a run of several seconds to kill in.
    simulator: { SIM_JIRA_ISSUES: '2000', SIM_LATENCY_MS: '100' },
  });
});

afterAll(async () => {
  await fault?.close();
});

interface Stats {
  requests: Record<string, { total: number }>;
}

const searchCalls = (stats: Stats) =>
  Object.entries(stats.requests)
    .filter(([route]) => route.includes('search/jql'))
    .reduce((sum, [, entry]) => sum + entry.total, 0);

describe('fault 4: extractor SIGKILLed mid-run', () => {
  it('the job is picked up again, resumes from its cursor and loads everything once', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      await fault.sim.ok('DELETE', '/_sim/stats');
      const jobId = await fault.startRun(jira);
      // Killed once some pages are stored and checkpointed, well before the end.
      await waitFor(
        async () =>
          (await fault.count(
            `select 1 from sync_state where integration_id = $1 and stream = 'issues' and cursor is not null`,
            [jira],
          )) > 0 &&
          (await fault.count(`select 1 from raw_extraction_data where entity_type = 'jira_issues'`)) >= 400,
        60_000,
        'a few stored and checkpointed pages',
      );
      await fault.stack.kill('extract');
      const storedBeforeKill = await fault.count(
        `select 1 from raw_extraction_data where entity_type = 'jira_issues'`,
      );
      const before = await fault.sim.ok<Stats>('GET', '/_sim/stats');
      await fault.sim.ok('DELETE', '/_sim/stats');
      expect(storedBeforeKill).toBeLessThan(2000);
      await fault.stack.start('extract');

      const job = await fault.waitJob(jobId, 150_000);
      expect(job).toMatchObject({ status: 'FINISHED', error: null });
      await fault.expectMatchesTruth({ jira });
      // Resumed, not restarted: the second extractor read fewer search pages than a whole run needs.
      const after = await fault.sim.ok<Stats>('GET', '/_sim/stats');
      const fullRun = Math.ceil(2000 / 100);
      expect(searchCalls(before)).toBeGreaterThan(0);
      expect(searchCalls(after)).toBeLessThan(fullRun);
      expect(await fault.deadLetters()).toEqual([]);
    });
  });
});
