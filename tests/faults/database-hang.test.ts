import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { hearClientErrors } from '@tributary/db';
import { startFaultStack, withLogs, type FaultStack } from './support/harness.ts';
import { startPostgres, type FaultPostgres } from './support/postgres.ts';

// Fault 6: Postgres hung. Every server process serving the worker and the
// backend is SIGSTOPped for 45 s in the middle of a run: their sockets stay open
// but nothing answers, which the server's own statement_timeout cannot catch.
let pgFault: FaultPostgres;
let fault: FaultStack;
const TIMEOUT_MS = '2000';

beforeAll(async () => {
  pgFault = await startPostgres();
  fault = await startFaultStack({
    databaseUrl: pgFault.url,
    simulator: { SIM_JIRA_ISSUES: '1500', SIM_LATENCY_MS: '60' },
    env: {
      backend: { DB_STATEMENT_TIMEOUT_MS: TIMEOUT_MS },
      worker: {
        DB_STATEMENT_TIMEOUT_MS: TIMEOUT_MS,
        WORKER_DB_CB_THRESHOLD: '3',
        WORKER_DB_CB_OPEN_SECONDS: '2',
      },
    },
  });
});

afterAll(async () => {
  await fault?.close();
  await pgFault?.cleanup();
});

describe('fault 6: Postgres hung (server processes stopped) during a run', () => {
  it('client-side timeouts drop the hung connections, nothing waits forever, and the run loads everything once', async () => {
    await withLogs(fault, async () => {
      const jira = await fault.register('jira');
      const jobId = await fault.startRun(jira);
      await fault.waitIssuesStored(jobId, 200);
      const observer = hearClientErrors(new pg.Client({ connectionString: pgFault.url }));
      await observer.connect();
      const { rows } = await observer.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name in ('tributary-worker', 'tributary-backend')`,
      );
      await observer.end();
      expect(rows.length).toBeGreaterThan(0);
      for (const { pid } of rows) pgFault.pause(pid);
      const pausedAt = Date.now();

      // The hang lasts 45 s. Requests that need the database land on the hung
      // pooled connections first; each must still be answered (a 503, or a 200 over
      // a fresh connection) well before the hang ends — nothing waits for it.
      // Several at once, so the pool hands out every connection it holds, hung ones included.
      const statuses = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const during = await fetch(`${fault.stack.urls.backend}/api/v1/jobs/${jobId}`, {
            headers: { authorization: `Bearer ${fault.api.token}` },
            signal: AbortSignal.timeout(25_000),
          });
          return during.status;
        }),
      );
      for (const status of statuses) expect([200, 503]).toContain(status);

      await sleep(Math.max(0, 45_000 - (Date.now() - pausedAt)));
      for (const { pid } of rows) pgFault.resume(pid);

      const job = await fault.waitJob(jobId, 240_000);
      expect(job).toMatchObject({ status: 'FINISHED', error: null, records_failed: 0 });
      await fault.expectMatchesTruth({ jira }, { transformedOnce: true });
      expect(await fault.deadLetters()).toEqual([]);
    });
  });
});
