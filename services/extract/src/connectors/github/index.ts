import { HttpError } from '@tributary/resilience';
import type { RateLimitGovernor } from '@tributary/resilience';
import type { GithubCredentials } from '@tributary/contracts';
import type { SourceClient } from '../../http/source-client.ts';
import { DEFAULT_OVERLAP_MS } from '../shared.ts';
import type { Connector } from '../types.ts';
import { deploymentsStream } from './deployments.ts';
import { pullRequestsStream } from './pull-requests.ts';
import { releasesStream } from './releases.ts';
import { repositoriesStream } from './repositories.ts';
import { repoPath } from './shared.ts';
import { createGraphqlClient } from './graphql/client.ts';
import { CONNECTION_TEST_QUERY } from './graphql/queries.ts';
import { graphqlPullRequestsStream } from './graphql/pull-requests.ts';
import { ScopeCheckError } from '../../errors/scope-check.ts';

export interface GithubIntegration {
  id: number | string;
  baseUrl: string;
  /** One token, or a pool (`tokens`); see `githubTokens`. */
  credentials: GithubCredentials;
  config: { repositories: readonly string[]; api?: 'graphql' | 'rest' };
}

export interface GithubConnectorOptions {
  integration: GithubIntegration;
  /** Built by the caller with the Bearer token and GitHub's Accept/version headers (`buildSourceClient`). */
  client: SourceClient;
  /** How far before the saved cursor an incremental walk stops. Default 5 min. */
  overlapMs?: number;
  /** Pull requests whose details are fetched at once. Default 4. */
  pullConcurrency?: number;
  /** Deployments of a list page whose statuses are fetched at once. Default 8, within the governor's cap. */
  statusConcurrency?: number;
  /** The integration's governor, fed the `rateLimit` of GraphQL answers. */
  governor?: RateLimitGovernor;
}

/** The GitHub connector: repositories (ETag), pull requests with reviews/comments/commits, deployments. */
export function createGithubConnector(options: GithubConnectorOptions): Connector {
  const { client } = options;
  const repositories = options.integration.config.repositories;
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  const useGraphql = options.integration.config.api !== 'rest';
  const graphql = createGraphqlClient({
    client,
    baseUrl: options.integration.baseUrl,
    governor: options.governor,
  });
  return {
    async testConnection(signal) {
      await client.get('/user', { signal });
      if (useGraphql) await graphql(CONNECTION_TEST_QUERY, {}, signal ?? new AbortController().signal);
      // Every repository is checked, so one test names all the ones that are wrong.
      const failed: { scope: string; reason: string }[] = [];
      for (const repository of repositories) {
        try {
          await client.get(repoPath(repository), { signal });
        } catch (err) {
          // GitHub answers 404 for a private repository the token cannot see, too.
          if (err instanceof HttpError && (err.status === 404 || err.status === 403)) {
            failed.push({
              scope: repository,
              reason: err.status === 404 ? 'not found, or not visible to this token' : 'no permission',
            });
          } else throw err;
        }
      }
      if (failed.length > 0) throw new ScopeCheckError(`github repositories that cannot be read`, failed);
    },
    streams: {
      repositories: repositoriesStream(client, repositories),
      // GraphQL unless the integration asks for REST (a GHES without GraphQL, or as a fallback).
      pull_requests: useGraphql
        ? graphqlPullRequestsStream({ query: graphql, repositories, overlapMs })
        : pullRequestsStream({ client, repositories, overlapMs, concurrency: options.pullConcurrency }),
      deployments: deploymentsStream(client, repositories, overlapMs, options.statusConcurrency),
      releases: releasesStream(client, repositories, overlapMs),
    },
  };
}
