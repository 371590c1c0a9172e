import { RateLimitedError } from '@tributary/resilience';
import type { RateLimitGovernor } from '@tributary/resilience';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { SourceClient, SourceResponse } from '../../../http/source-client.ts';
import { operationName } from './queries.ts';

/** GitHub answers a query that ran past its 10 s limit with 502 and this message. */
const TIMEOUT_MESSAGE = /may be the result of a timeout/i;
/** RATE_LIMITED answers are retried this many times, each after the reset GitHub names. */
const RATE_LIMITED_RETRIES = 3;
/** The governor's own cap on waiting for a reset (GOVERNOR_DEFAULTS.maxResetWaitMs). */
const MAX_RATE_LIMITED_WAIT_MS = 15 * 60_000;
/** A partial answer (`errors` beside `data`) is asked again this many times before the run fails. */
const PARTIAL_RETRIES = 2;

const errorSchema = z.looseObject({
  message: z.string(),
  type: z.string().optional(),
  path: z.array(z.union([z.string(), z.number()])).optional(),
});
const answerSchema = z.looseObject({
  data: z.record(z.string(), z.unknown()).nullish(),
  errors: z.array(errorSchema).optional(),
});
const rateLimitSchema = z.looseObject({
  cost: z.number(),
  remaining: z.number(),
  resetAt: z.string(),
  limit: z.number().optional(),
});

export type GraphqlError = z.infer<typeof errorSchema>;

/** The query took longer than GitHub allows; ask for less. */
export class GraphqlTimeoutError extends Error {
  override name = 'GraphqlTimeoutError';
}

/** GitHub answered with errors (a field, a repository not found, a partial answer that did not heal). */
export class GraphqlQueryError extends Error {
  override name = 'GraphqlQueryError';
  readonly errors: GraphqlError[];
  constructor(query: string, errors: GraphqlError[]) {
    super(
      `github graphql ${query}: ${errors.map((e) => (e.type ? `${e.type}: ${e.message}` : e.message)).join('; ')}`,
    );
    this.errors = errors;
  }
}

export interface GraphqlAnswer {
  data: Record<string, unknown>;
  response: SourceResponse;
  query: string;
}

/** `POST /graphql` beside the REST root: `https://api.github.com/graphql`, GHES `https://host/api/graphql`. */
export function graphqlPath(baseUrl: string): string {
  const base = new URL(baseUrl);
  const path = base.pathname.replace(/\/+$/, '');
  if (/\/api\/v3$/.test(path)) return `${base.origin}${path.replace(/\/v3$/, '')}/graphql`;
  return '/graphql';
}

export interface GraphqlClientOptions {
  client: SourceClient;
  baseUrl: string;
  governor?: RateLimitGovernor;
}

/**
 * Sends one named query through the integration's resilient client (governor, retry on 5xx and
 * secondary limits with retry-after, breaker), then deals with what only GraphQL says in a 200:
 * `rateLimit` goes to the governor, `RATE_LIMITED` waits for the reset, a partial answer is
 * asked again, and a 502 timeout surfaces as GraphqlTimeoutError so the caller can shrink.
 */
export function createGraphqlClient(options: GraphqlClientOptions) {
  const path = graphqlPath(options.baseUrl);
  return async function query(
    text: string,
    variables: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<GraphqlAnswer> {
    const name = operationName(text);
    let rateLimited = 0;
    let partial = 0;
    for (;;) {
      // GraphQL points are their own budget per token, apart from REST's `core` requests.
      const response = await options.client.post(
        path,
        { query: text, variables },
        { signal, answerStatuses: [502, 504], resource: 'graphql' },
      );
      const parsed = answerSchema.safeParse(response.body);
      if (!parsed.success)
        throw new GraphqlQueryError(name, [
          { message: `answer is not a GraphQL response: ${z.prettifyError(parsed.error)}` },
        ]);
      const { data, errors = [] } = parsed.data;
      if (response.status === 502 || response.status === 504) {
        if (errors.some((e) => TIMEOUT_MESSAGE.test(e.message)) || response.status === 504)
          throw new GraphqlTimeoutError(`github graphql ${name} timed out`);
        throw new GraphqlQueryError(
          name,
          errors.length > 0 ? errors : [{ message: `HTTP ${response.status}` }],
        );
      }
      const rl = rateLimitSchema.safeParse(data?.rateLimit);
      if (rl.success) {
        // The answer's own account of the quota, for proxies that drop the headers.
        options.governor?.observe(
          {
            'x-ratelimit-remaining': String(rl.data.remaining),
            'x-ratelimit-reset': String(Math.ceil(Date.parse(rl.data.resetAt) / 1000)),
            ...(rl.data.limit === undefined ? {} : { 'x-ratelimit-limit': String(rl.data.limit) }),
          },
          'graphql',
        );
      }
      if (errors.some((e) => e.type === 'RATE_LIMITED')) {
        const reset = Number(response.headers['x-ratelimit-reset']);
        const waitMs =
          Number.isFinite(reset) && reset > 0 ? Math.max(1000, reset * 1000 - Date.now()) : 60_000;
        // Past the longest in-process wait the run ends as rate limited (retried later) instead of sleeping.
        if (++rateLimited > RATE_LIMITED_RETRIES || waitMs > MAX_RATE_LIMITED_WAIT_MS) {
          throw new RateLimitedError({
            status: 200,
            url: response.url,
            headers: response.headers,
            source: options.client.name,
            message: `${options.client.name}: graphql RATE_LIMITED`,
          });
        }
        await sleep(waitMs, undefined, { signal });
        continue;
      }
      // A node looked up by id that is gone (deleted between two queries) is simply absent.
      const gone = (e: GraphqlError): boolean =>
        e.type === 'NOT_FOUND' && e.path !== undefined && e.path[0] !== 'repository';
      const remaining = errors.filter((e) => !gone(e));
      if (remaining.length > 0) {
        // A missing repository and query errors (no path) do not heal by asking again; a partial answer may.
        const fatal = remaining.some((e) => e.type === 'NOT_FOUND' || e.path === undefined);
        if (fatal || data === null || data === undefined || ++partial > PARTIAL_RETRIES)
          throw new GraphqlQueryError(name, remaining);
        continue;
      }
      if (data === null || data === undefined)
        throw new GraphqlQueryError(name, [{ message: 'answer without data' }]);
      return { data, response, query: name };
    }
  };
}

export type GraphqlQuery = ReturnType<typeof createGraphqlClient>;
