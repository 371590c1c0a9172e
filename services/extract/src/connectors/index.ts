import { githubTokens } from '@tributary/contracts';
import { createGovernor } from '@tributary/resilience';
import type {
  BreakerRegistry,
  RateLimitGovernor,
  ResilienceLogger,
  RetryOptions,
} from '@tributary/resilience';
import { createSourceClient } from '../http/source-client.ts';
import type { SourceClient } from '../http/source-client.ts';
import type { OutboundGuard } from '@tributary/netguard';
import { createGithubConnector } from './github/index.ts';
import type { GithubIntegration } from './github/index.ts';
import { createTokenPool } from './github/token-pool.ts';
import { createJiraConnector } from './jira/index.ts';
import type { JiraIntegration } from './jira/index.ts';
import type { Connector } from './types.ts';
import { recordSourceResponse } from '../source-metrics.ts';

export type { GithubIntegration, JiraIntegration };
export type { Connector, Page, SourceRecord, StreamContext, StreamPosition, StreamReader } from './types.ts';

/** What a connector needs of an integration row (credentials decrypted). */
export type ConnectorIntegration =
  (JiraIntegration & { type: 'jira' }) | (GithubIntegration & { type: 'github' });

export interface ConnectorOptions {
  /** Overlap window for incremental streams. Default 5 min. */
  overlapMs?: number;
  /** GitHub deployments of a list page whose statuses are fetched at once. Default 8. */
  githubStatusConcurrency?: number;
}

/** The connector for an integration's source, reading through `client` (see `buildSourceClient`). */
export function createConnector(
  integration: ConnectorIntegration,
  client: SourceClient,
  options: ConnectorOptions = {},
): Connector {
  switch (integration.type) {
    case 'jira':
      return createJiraConnector({ integration, client, overlapMs: options.overlapMs });
    case 'github':
      return createGithubConnector({
        integration,
        client,
        overlapMs: options.overlapMs,
        statusConcurrency: options.githubStatusConcurrency,
      });
  }
}

export interface BuildSourceClientOptions {
  registry: BreakerRegistry;
  /** One per integration: every stream of it shares the quota. */
  governor?: RateLimitGovernor;
  /** Runs before every request attempt; throw from it to pause or cancel the run. */
  beforeRequest?: () => Promise<void>;
  logger?: ResilienceLogger;
  retry?: Partial<RetryOptions>;
  attemptTimeoutMs?: number;
  /** The outbound guard every source connection goes through (required: there is no unguarded client). */
  guard: OutboundGuard;
  /** Cap on one response body. Default 32 MB. */
  maxResponseBytes?: number;
}

/** Breaker and retry name for an integration, e.g. `jira:7`. */
export function breakerNameFor(integration: Pick<ConnectorIntegration, 'type' | 'id'>): string {
  return `${integration.type}:${integration.id}`;
}

/** The source HTTP client for an integration: its auth, headers and the breaker `${type}:${id}`. */
export function buildSourceClient(
  integration: ConnectorIntegration,
  options: BuildSourceClientOptions,
): SourceClient {
  const common = {
    baseUrl: integration.baseUrl,
    governor: options.governor,
    breaker: options.registry.get(breakerNameFor(integration)),
    retry: options.retry,
    attemptTimeoutMs: options.attemptTimeoutMs,
    beforeRequest: options.beforeRequest,
    logger: options.logger,
    guard: options.guard,
    maxResponseBytes: options.maxResponseBytes,
    onResponse: (status: number, headers: Readonly<Record<string, string>>) =>
      recordSourceResponse(integration.type, integration.id, status, headers),
  };
  switch (integration.type) {
    case 'jira': {
      const { email, api_token: apiToken } = integration.credentials;
      return createSourceClient({
        ...common,
        secrets: [apiToken],
        source: 'jira',
        authorization: `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`,
      });
    }
    case 'github': {
      const tokens = githubTokens(integration.credentials);
      const clientFor = (token: string, governor: RateLimitGovernor | undefined): SourceClient =>
        createSourceClient({
          ...common,
          governor,
          source: 'github',
          // Every token of the pool is scrubbed from errors and logs, whichever client met them.
          secrets: tokens.map((t) => t.token),
          authorization: `Bearer ${token}`,
          headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
        });
      const [only] = tokens;
      if (tokens.length === 1 && only) return clientFor(only.token, options.governor);
      // A pool: one governor (one budget) per token, each as wide as the integration's.
      const name = breakerNameFor(integration);
      const concurrency = options.governor?.state().concurrency;
      return createTokenPool(
        tokens.map((t) => {
          const governor = createGovernor({ name: `${name}/${t.name}`, concurrency, logger: options.logger });
          return { name: t.name, governor, client: clientFor(t.token, governor) };
        }),
        { name, logger: options.logger },
      );
    }
  }
}
