import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultStack, withLogs, type FaultStack } from '../faults/support/harness.ts';
import { waitFor } from '../support/wait.ts';
import { valuesAgainstTruth } from './support/truth-values.ts';

// The raw layer keeps each entity's latest version plus a bounded history. Three
// incremental runs over a changing source without retention make it grow; with
// RAW_KEEP_VERSIONS=2 the worker prunes it back and it stays bounded however many
// runs follow, while the normalized tables keep matching the source.
let fault: FaultStack;

beforeAll(async () => {
  fault = await startFaultStack({
    env: { worker: { RAW_KEEP_VERSIONS: '0', RAW_PRUNE_INTERVAL_SECONDS: '1', RAW_PRUNE_BATCH: '50' } },
    simulator: { SIM_JIRA_ISSUES: '120', SIM_GITHUB_PRS: '20' },
  });
});

afterAll(async () => {
  await fault?.close();
});

interface RawShape {
  rows: number;
  entities: number;
  max_versions: number;
  bytes: number;
}

const shape = async (): Promise<RawShape> =>
  (
    await fault.pool.query<RawShape>(
      `select count(*)::int as rows,
              count(distinct (integration_id, entity_type, external_id))::int as entities,
              coalesce(max(n), 0)::int as max_versions,
              (select sum(pg_total_relation_size(inhrelid))::bigint from pg_inherits where inhparent = 'raw_extraction_data'::regclass) as bytes
       from raw_extraction_data
       left join (select integration_id i, entity_type t, external_id e, count(*)::int n from raw_extraction_data group by 1, 2, 3) v
         on v.i = integration_id and v.t = entity_type and v.e = external_id`,
    )
  ).rows[0]!;

async function incrementalRound(integrations: { jira: number; github: number }): Promise<void> {
  // The source changes: some issues and pull requests get new content and a new updated time.
  await fault.sim.ok('POST', '/_sim/advance', { issues: 40, pull_requests: 8 });
  for (const id of [integrations.jira, integrations.github]) {
    const job = await fault.waitJob(await fault.startRun(id));
    expect(job).toMatchObject({ status: 'FINISHED', error: null, records_failed: 0 });
  }
}

describe('raw retention', () => {
  it('keeps the raw layer bounded over repeated incremental runs, normalized rows still equal to the source', async () => {
    await withLogs(fault, async () => {
      const integrations = { jira: await fault.register('jira'), github: await fault.register('github') };
      for (const id of [integrations.jira, integrations.github]) {
        expect(await fault.waitJob(await fault.startRun(id))).toMatchObject({
          status: 'FINISHED',
          error: null,
        });
      }
      const afterFull = await shape();
      expect(afterFull.max_versions).toBe(1);

      // Without retention: every changed entity adds a version each run.
      for (let round = 0; round < 3; round++) await incrementalRound(integrations);
      const without = await shape();
      expect(without.max_versions).toBeGreaterThan(2);
      expect(without.rows).toBeGreaterThan(afterFull.rows);

      // With RAW_KEEP_VERSIONS=2 (the worker restarted with it): pruned back to at most 2 versions each.
      fault.stack.env.worker.RAW_KEEP_VERSIONS = '2';
      await fault.stack.kill('worker');
      await fault.stack.start('worker');
      const pruned = await waitFor(
        async () => {
          const current = await shape();
          return current.max_versions <= 2 ? current : null;
        },
        60_000,
        'old versions pruned',
      );
      expect(pruned.entities).toBe(without.entities);
      expect(pruned.rows).toBeLessThan(without.rows);

      const sizes: RawShape[] = [];
      for (let round = 0; round < 3; round++) {
        await incrementalRound(integrations);
        sizes.push(
          await waitFor(
            async () => {
              const current = await shape();
              return current.max_versions <= 2 ? current : null;
            },
            60_000,
            'the round pruned',
          ),
        );
      }
      // Bounded: never more than two versions of any entity, so never more than 2 × entities rows.
      for (const size of sizes) {
        expect(size.max_versions).toBeLessThanOrEqual(2);
        expect(size.rows).toBeLessThanOrEqual(2 * size.entities);
      }
      if (process.env.SCALE_FIGURES) {
        console.log(JSON.stringify({ afterFull, without, pruned, sizes }));
      }
      // Nothing a load still needs was pruned: the normalized rows are the source's latest state.
      const values = await valuesAgainstTruth(fault.pool, fault.sim, integrations);
      expect(values.issues.got).toEqual(values.issues.want);
      expect(values.pulls.got).toEqual(values.pulls.want);
      expect(values.samples.got).toEqual(values.samples.want);
      expect(await fault.count(`select 1 from raw_extraction_data where status <> 'completed'`)).toBe(0);
      expect(await fault.deadLetters()).toEqual([]);
    });
  });
});
