import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Stack } from '../../scripts/stack.ts';
import type { ApiClient } from '../support/api-client.ts';
import { startE2eStack, type E2eStack } from '../support/e2e-stack.ts';
import { waitFor } from '../support/wait.ts';
import { registerIntegration, runToEnd } from '../support/runs.ts';
import { anyOf } from '../support/matchers.ts';
import type { Truth } from '../support/truth.ts';

const TABLES = [
  'github_pull_requests',
  'github_reviews',
  'github_review_comments',
  'github_commits',
  'github_pull_request_commits',
] as const;
let e2e: E2eStack | undefined;
let stack: Stack;
let pool: pg.Pool;
let api: ApiClient;
let sim: ApiClient;

beforeAll(async () => {
  e2e = await startE2eStack({
    tenant: 'graphql-vs-rest',
    simulator: { SIM_SEED: '14', SIM_GITHUB_REPOS: '2', SIM_GITHUB_PRS: '40' },
  });
  ({ stack, pool, api, sim } = e2e);
});

afterAll(async () => {
  await e2e?.stop();
});

async function syncWith(apiName: 'rest' | 'graphql', truth: Truth): Promise<number> {
  const integrationId = await registerIntegration(api, {
    type: 'github',
    name: `sim ${apiName}`,
    base_url: stack.urls.simulator,
    credentials: { token: 'sim-github-token' },
    config: { repositories: truth.github.repositories, api: apiName },
  });
  const job = await runToEnd(api, integrationId, { streams: ['pull_requests'] });
  expect(job).toMatchObject({ status: 'FINISHED', error: null });
  // Loading is asynchronous: wait until every record of the source is in its table.
  await waitFor(
    async () => {
      const n = async (table: string) =>
        (
          await pool.query<{ n: number }>(
            `select count(*)::int as n from ${table} where integration_id = $1`,
            [integrationId],
          )
        ).rows[0]!.n;
      const done =
        (await n('github_pull_requests')) === truth.github.pull_requests &&
        (await n('github_reviews')) === truth.github.reviews &&
        (await n('github_review_comments')) === truth.github.review_comments &&
        (await n('github_commits')) === truth.github.commits;
      return done || null;
    },
    120_000,
    `${apiName} rows to load`,
  );
  return integrationId;
}

/** Every row of a table for one integration, without the columns that say where a row came from. */
async function rowsOf(table: string, integrationId: number): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `select * from ${table} where integration_id = $1 order by external_id`,
    [integrationId],
  );
  return rows.map(
    ({ id: _id, integration_id: _i, raw_id: _r, loaded_at: _l, tenant_id: _t, ...rest }) => rest,
  );
}

describe('GitHub over GraphQL and over REST', () => {
  it('load identical normalized rows from the same source data', async () => {
    const truth = await sim.ok<Truth>('GET', '/_sim/truth/summary');
    const rest = await syncWith('rest', truth);
    const graphql = await syncWith('graphql', truth);
    const { rows: raw } = await pool.query<{ api: string | null; n: number }>(
      `select extraction_metadata->>'api' as api, count(*)::int as n from raw_extraction_data where integration_id = $1 group by 1`,
      [graphql],
    );
    expect(raw).toEqual([{ api: 'graphql', n: anyOf(Number) }]);
    for (const table of TABLES) {
      const fromRest = await rowsOf(table, rest);
      expect(fromRest.length, table).toBeGreaterThan(0);
      expect({ table, rows: await rowsOf(table, graphql) }).toEqual({ table, rows: fromRest });
    }
  });
});
