import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFaultStack, withLogs, type FaultStack } from '../faults/support/harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startBouncer, type Bouncer } from './support/pgbouncer.ts';
import { valuesAgainstTruth } from './support/truth-values.ts';

// Backend and worker with DATABASE_URL through PgBouncer in transaction mode
// (4 server connections for every client of the database): nothing may depend
// on session state. Only migrations go around it (MIGRATION_DATABASE_URL), as
// they hold a session advisory lock.
const POOL_SIZE = 4;
let database: TestDatabase;
let bouncer: Bouncer;
let fault: FaultStack;

beforeAll(async () => {
  database = await createTestDatabase();
  const server = new URL(inject('databaseUrl'));
  bouncer = await startBouncer({ host: server.hostname, port: Number(server.port || 5432) }, POOL_SIZE);
  fault = await startFaultStack({
    databaseUrl: bouncer.urlFor(database.name),
    env: {
      backend: { MIGRATION_DATABASE_URL: database.url },
      // Retention's `set local lock_timeout` and SKIP LOCKED deletes run through the bouncer too.
      worker: { RAW_PRUNE_INTERVAL_SECONDS: '1', RAW_KEEP_VERSIONS: '1' },
    },
    simulator: { SIM_JIRA_ISSUES: '200', SIM_GITHUB_PRS: '24' },
  });
});

afterAll(async () => {
  await fault?.close();
  await bouncer?.stop();
  await database?.drop();
});

describe('behind PgBouncer in transaction mode', () => {
  it('runs load everything the source has, through a 4-connection server pool', async () => {
    await withLogs(fault, async () => {
      const integrations = { jira: await fault.register('jira'), github: await fault.register('github') };
      const jobs = [await fault.startRun(integrations.jira), await fault.startRun(integrations.github)];
      for (const id of jobs) {
        expect(await fault.waitJob(id)).toMatchObject({ status: 'FINISHED', error: null, records_failed: 0 });
      }
      await fault.expectMatchesTruth(integrations);
      const values = await valuesAgainstTruth(fault.pool, fault.sim, integrations);
      expect(values.issues.got).toEqual(values.issues.want);
      expect(values.pulls.got).toEqual(values.pulls.want);
      expect(values.samples.got).toEqual(values.samples.want);
      expect(await fault.deadLetters()).toEqual([]);

      // It really went through the bouncer, and the server never saw more than its pool.
      const pools = (await bouncer.admin('SHOW POOLS')).filter((row) => row.database === database.name);
      const serverConnections = pools.reduce(
        (sum, row) =>
          sum +
          ['sv_active', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login'].reduce(
            (n, key) => n + Number(row[key] ?? 0),
            0,
          ),
        0,
      );
      expect(serverConnections).toBeGreaterThan(0);
      expect(serverConnections).toBeLessThanOrEqual(POOL_SIZE);
      const stats = (await bouncer.admin('SHOW STATS')).find((row) => row.database === database.name);
      expect(Number(stats?.total_xact_count)).toBeGreaterThan(100);
    });
  });
});
