import type { RunningSimulator, StatsSnapshot, TruthSummary } from '@tributary/simulator';
import { startSimulator } from '@tributary/simulator';
import { createBreakerRegistry, createGovernor, HttpError } from '@tributary/resilience';
import type { BreakerRegistry } from '@tributary/resilience';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSourceClient } from '../index.ts';
import { contextFor, drain } from '../testing.ts';
import type { Page } from '../types.ts';
import { simulatorGuard } from '../../http/testing.ts';
import { deploymentsStream } from './deployments.ts';

const STATUSES_ROUTE = 'GET /repos/:owner/:repo/deployments/:id/statuses';

let sim: RunningSimulator;
let truth: TruthSummary;
let registry: BreakerRegistry;

/** The REST deployments stream with `statusConcurrency`, through a governor admitting `governorConcurrency` at once. */
function deployments(statusConcurrency: number, governorConcurrency: number) {
  const client = buildSourceClient(
    {
      type: 'github',
      id: 5,
      baseUrl: sim.url,
      credentials: { token: 'sim-github-token' },
      config: { repositories: truth.github.repositories },
    },
    {
      guard: simulatorGuard,
      registry,
      governor: createGovernor({ name: 'github:5', concurrency: governorConcurrency }),
      retry: { retries: 1, baseMs: 10, capMs: 20 },
    },
  );
  return deploymentsStream(client, truth.github.repositories, 0, statusConcurrency);
}

const stats = () => sim.control<StatsSnapshot>('GET', '/_sim/stats');

/** Every page as the runner gets it: entity type, records (id, scope, payload) and checkpoint, in order. */
const shapeOf = (pages: Page[]) =>
  pages.map((p) => ({
    entityType: p.entityType,
    checkpoint: p.checkpoint ?? null,
    records: p.records.map((r) => ({ id: r.externalId, metadata: r.metadata.deployment_id, raw: r.rawData })),
  }));

beforeAll(async () => {
  sim = await startSimulator({ seed: 4, jira: { projects: 1, issues: 5 }, github: { repos: 2, prs: 64 } });
  truth = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
  registry = createBreakerRegistry();
  // Every statuses request stays open a while, so those a client sends together overlap at the simulator.
  await sim.control('POST', '/_sim/faults', {
    path: '/repos/*/*/deployments/*/statuses',
    kind: 'latency',
    latency_ms: 150,
  });
});
afterAll(async () => {
  registry.shutdown();
  await sim.close();
});
beforeEach(async () => {
  await sim.control('DELETE', '/_sim/stats');
});

describe('deployment statuses of a page are fetched concurrently, bounded', () => {
  let sequential: Page[] = [];

  it('one at a time, the simulator never sees two statuses requests at once', async () => {
    sequential = await drain(deployments(1, 16), contextFor('full'));
    const s = await stats();
    expect(s.peak_in_flight[STATUSES_ROUTE]).toBe(1);
    // Enough deployments on one page that a limit of 3 (and the governor's 2 below) is reached.
    expect(s.requests[STATUSES_ROUTE]?.total).toBeGreaterThan(8);
  });

  it('with a limit of 3 the simulator sees 3 at once, and the pages are the same records in the same order with the same checkpoints', async () => {
    const pages = await drain(deployments(3, 16), contextFor('full'));
    expect((await stats()).peak_in_flight[STATUSES_ROUTE]).toBe(3);
    expect(shapeOf(pages)).toEqual(shapeOf(sequential));
  });

  it("the integration's governor caps it: a limit of 8 under a governor of 2 has 2 in flight", async () => {
    const pages = await drain(deployments(8, 2), contextFor('full'));
    expect((await stats()).peak_in_flight[STATUSES_ROUTE]).toBe(2);
    expect(shapeOf(pages)).toEqual(shapeOf(sequential));
  });

  it('a statuses request that fails fails the stream with its error, before that page or its checkpoint is yielded', async () => {
    const [repository] = truth.github.repositories;
    const firstDeployment = sequential.find(
      (p) => p.entityType === 'github_deployments' && p.records.length > 0,
    )?.records[3]?.externalId;
    expect(firstDeployment).toBeDefined();
    // One rule answers a request: the 404 in place of the latency rule, the latency for every request instead.
    await sim.control('DELETE', '/_sim/faults');
    await sim.control('POST', '/_sim/faults', {
      latency_ms: 50,
      rules: [
        {
          path: `/repos/${repository!}/deployments/${firstDeployment!}/statuses`,
          kind: 'status',
          status: 404,
        },
      ],
    });
    const yielded: Page[] = [];
    const run = async () => {
      for await (const page of deployments(8, 16)(contextFor('full'))) yielded.push(page);
    };
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 404 });
    expect(yielded).toEqual([]);
  });
});
