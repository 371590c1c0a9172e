import type { RunningSimulator, StatsSnapshot, TruthSummary } from '@tributary/simulator';
import { startSimulator } from '@tributary/simulator';
import { CredentialsRejectedError, createBreakerRegistry } from '@tributary/resilience';
import type { BreakerRegistry } from '@tributary/resilience';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSourceClient, createConnector } from '../index.ts';
import type { ConnectorIntegration } from '../index.ts';
import { contextFor, drain } from '../testing.ts';
import type { TokenPoolClient } from './token-pool.ts';
import { simulatorGuard } from '../../http/testing.ts';

let sim: RunningSimulator;
let truth: TruthSummary;
let registry: BreakerRegistry;

const warnings: { fields: unknown; message: string }[] = [];
const logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (fields: unknown, message: string) => void warnings.push({ fields, message }),
  error: () => undefined,
};

function pooled(tokens: string[]): { client: TokenPoolClient; run: () => Promise<number> } {
  const integration: ConnectorIntegration = {
    type: 'github',
    id: 21,
    baseUrl: sim.url,
    credentials: { tokens },
    config: { repositories: truth.github.repositories },
  };
  const client = buildSourceClient(integration, {
    registry,
    guard: simulatorGuard,
    logger,
    retry: { retries: 1, baseMs: 10, capMs: 20 },
  }) as TokenPoolClient;
  const connector = createConnector(integration, client);
  return {
    client,
    run: async () => {
      const pages = await drain(connector.streams.pull_requests!, contextFor('full'));
      return pages.filter((p) => p.entityType === 'github_pull_requests').flatMap((p) => p.records).length;
    },
  };
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 21, github: { repos: 2, prs: 30, tokens: ['pool-one', 'pool-two'] } });
  truth = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
  registry = createBreakerRegistry();
});

afterAll(async () => {
  registry.shutdown();
  await sim.close();
});

describe('GitHub token pool', () => {
  it('spreads queries over the tokens and skips a rejected one, naming it and never its value', async () => {
    const { client, run } = pooled(['pool-one', 'revoked-secret', 'pool-two']);
    expect(await run()).toBe(truth.github.pull_requests);
    expect(client.rejected()).toEqual(['tokens[1]']);
    expect(warnings).toEqual([
      {
        fields: { source: 'github:21', token_name: 'tokens[1]', tokens_left: 2 },
        message: 'github token rejected; skipped for this run',
      },
    ]);
    expect(JSON.stringify(warnings)).not.toContain('revoked-secret');
    const stats = await sim.control<StatsSnapshot>('GET', '/_sim/stats');
    expect(stats.quota_used['graphql:pool-one']).toBeGreaterThan(0);
    expect(stats.quota_used['graphql:pool-two']).toBeGreaterThan(0);
  });

  it('fails with credentials rejected, naming the tokens, when every token is rejected', async () => {
    const { run } = pooled(['bad-one', 'bad-two']);
    const error = await run().then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect((error as Error).message).toBe(
      'credentials rejected by github:21 (every token rejected: tokens[0], tokens[1])',
    );
    expect((error as Error).message).not.toContain('bad-');
  });
});
