import type { RunningSimulator, TruthSummary } from '@tributary/simulator';
import { startSimulator } from '@tributary/simulator';
import { createBreakerRegistry, createGovernor } from '@tributary/resilience';
import type { BreakerRegistry } from '@tributary/resilience';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSourceClient, createConnector } from '../index.ts';
import type { ConnectorIntegration } from '../index.ts';
import { contextFor, drain, type Positions } from '../testing.ts';
import type { Connector, Page, SourceRecord } from '../types.ts';
import { simulatorGuard } from '../../http/testing.ts';

interface TruthDeployment {
  repository: string;
  id: number;
  created_at: string;
  statuses: Array<{ id: number; state: string }>;
}

let sim: RunningSimulator;
let truth: TruthSummary;
let registry: BreakerRegistry;
let clock = Date.UTC(2026, 5, 1);

function github(repositories: string[]): Connector {
  const integration: ConnectorIntegration = {
    type: 'github',
    id: 3,
    baseUrl: sim.url,
    credentials: { token: 'sim-github-token' },
    config: { repositories },
  };
  const client = buildSourceClient(integration, {
    registry,
    guard: simulatorGuard,
    governor: createGovernor({ name: 'github:3' }),
    retry: { retries: 1, baseMs: 10, capMs: 20 },
  });
  return createConnector(integration, client);
}

const recordsOf = (pages: Page[], entityType: string): SourceRecord[] =>
  pages.filter((p) => p.entityType === entityType).flatMap((p) => p.records);

beforeAll(async () => {
  sim = await startSimulator({
    seed: 4,
    now: () => clock,
    jira: { projects: 1, issues: 5 },
    github: { repos: 2, prs: 64 },
  });
  truth = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
  registry = createBreakerRegistry();
});
afterAll(async () => {
  registry.shutdown();
  await sim.close();
});

describe('deployment statuses and releases streams', () => {
  const positions: Positions = new Map();

  it('a full run yields every deployment with all its statuses, scoped to the deployment they were fetched for', async () => {
    const pages = await drain(
      github(truth.github.repositories).streams.deployments!,
      contextFor('full'),
      positions,
    );
    const expected = await sim.control<TruthDeployment[]>('GET', '/_sim/truth/github/deployments');
    expect(
      recordsOf(pages, 'github_deployments')
        .map((r) => r.externalId)
        .sort(),
    ).toEqual(expected.map((d) => String(d.id)).sort());
    const statuses = recordsOf(pages, 'github_deployment_statuses');
    expect(statuses.map((r) => r.externalId).sort()).toEqual(
      expected.flatMap((d) => d.statuses.map((s) => String(s.id))).sort(),
    );
    for (const s of statuses) {
      const owner = expected.find((d) => d.statuses.some((x) => String(x.id) === s.externalId))!;
      expect(s.metadata).toMatchObject({ repository: owner.repository, deployment_id: owner.id });
    }
    // A status never arrives before the deployment it belongs to.
    const firstStatusPage = pages.findIndex((p) => p.entityType === 'github_deployment_statuses');
    expect(
      pages
        .slice(0, firstStatusPage)
        .some((p) => p.entityType === 'github_deployments' && p.records.length > 0),
    ).toBe(true);
  });

  it('an incremental run re-reads the statuses of deployments from the last day, so a late outcome is not missed', async () => {
    const [repository] = truth.github.repositories;
    clock += 60_000;
    const added = await sim.control<{ deployments: Array<{ id: number }> }>('POST', '/_sim/advance', {
      deployments: [{ repository, outcome: 'pending' }],
    });
    const pendingId = added.deployments[0]!.id;
    const expected = await sim.control<TruthDeployment[]>('GET', '/_sim/truth/github/deployments');
    const cursor = Date.parse(positions.get(repository!)!.cursor!);
    const first = await drain(
      github([repository!]).streams.deployments!,
      contextFor('incremental', positions),
      positions,
    );
    // The new deployment, plus those created within a day before the saved cursor, and nothing older.
    const firstIds = recordsOf(first, 'github_deployments').map((r) => r.externalId);
    expect(firstIds).toContain(String(pendingId));
    expect(firstIds.sort()).toEqual(
      expected
        .filter((d) => d.repository === repository && Date.parse(d.created_at) >= cursor - 24 * 3_600_000)
        .map((d) => String(d.id))
        .sort(),
    );
    const pendingStatuses = recordsOf(first, 'github_deployment_statuses').filter(
      (r) => r.metadata.deployment_id === pendingId,
    );
    expect(pendingStatuses.map((r) => r.rawData.state)).toEqual(['in_progress', 'queued']);

    // Hours later another deployment: the walk reaches back a day, so the pending one's statuses are read again.
    clock += 2 * 3_600_000;
    await sim.control('POST', '/_sim/advance', { deployments: [{ repository, outcome: 'success' }] });
    const second = await drain(
      github([repository!]).streams.deployments!,
      contextFor('incremental', positions),
      positions,
    );
    expect(recordsOf(second, 'github_deployments').map((r) => r.externalId)).toContain(String(pendingId));
    expect(
      recordsOf(second, 'github_deployment_statuses').some((r) => r.metadata.deployment_id === pendingId),
    ).toBe(true);
    expect(recordsOf(second, 'github_deployment_statuses').map((r) => r.rawData.state)).toContain('success');
  });

  it('releases: a full run yields every release; an incremental one only what is new since the cursor', async () => {
    const releasePositions: Positions = new Map();
    const full = await drain(
      github(truth.github.repositories).streams.releases!,
      contextFor('full'),
      releasePositions,
    );
    const records = recordsOf(full, 'github_releases');
    expect(records.length).toBeGreaterThan(2);
    expect(new Set(records.map((r) => r.metadata.repository))).toEqual(new Set(truth.github.repositories));
    expect([...releasePositions.keys()].sort()).toEqual([...truth.github.repositories].sort());
    const again = await drain(
      github(truth.github.repositories).streams.releases!,
      contextFor('incremental', releasePositions),
      releasePositions,
    );
    // Within the overlap window only the newest release of each repository comes back.
    expect(recordsOf(again, 'github_releases').length).toBeLessThanOrEqual(truth.github.repositories.length);
  });
});
