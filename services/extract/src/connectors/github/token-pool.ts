import { CredentialsRejectedError } from '@tributary/resilience';
import type { RateLimitGovernor, ResilienceLogger } from '@tributary/resilience';
import type { RequestOptions, SourceClient, SourceResponse } from '../../http/source-client.ts';

/** One token of a pool: its name (`tokens[1]`, never the value), its client and the governor that keeps its budget. */
export interface PooledToken {
  name: string;
  client: SourceClient;
  governor: RateLimitGovernor;
}

export interface TokenPoolClient extends SourceClient {
  /** Names of the tokens GitHub rejected during this run; they are skipped from then on. */
  rejected(): string[];
}

/**
 * A SourceClient over several tokens of one GitHub integration. Each token has its own quota
 * (its own governor, fed by its own answers); every request goes to the token with the most
 * budget left and the least work queued, so requests spread over the pool. A token answered
 * 401 is reported by name and skipped while the others go on; only when every token is
 * rejected does the run fail with "credentials rejected".
 */
export function createTokenPool(
  tokens: readonly PooledToken[],
  options: { name: string; logger?: ResilienceLogger },
): TokenPoolClient {
  if (tokens.length === 0) throw new Error(`${options.name}: a token pool needs at least one token`);
  const rejected = new Set<string>();
  let turn = 0;

  /** The token with the most budget left for `resource` (REST `core` or `graphql` points) and the least work queued. */
  const pick = (resource: string | undefined): PooledToken | undefined => {
    const live = tokens.filter((t) => !rejected.has(t.name));
    let best: PooledToken | undefined;
    let bestScore = -Infinity;
    for (let k = 0; k < live.length; k++) {
      // Start from a rotating position so equal tokens take turns.
      const t = live[(turn + k) % live.length];
      if (!t) continue;
      const s = t.governor.state(resource);
      const budget = s.remaining ?? Number.MAX_SAFE_INTEGER;
      const score = s.nextWaitMs > 0 ? -s.nextWaitMs : budget - (s.inFlight + s.queued) * 100;
      if (score > bestScore) {
        best = t;
        bestScore = score;
      }
    }
    turn++;
    return best;
  };

  async function send<T>(
    call: (client: SourceClient) => Promise<SourceResponse<T>>,
    resource: string | undefined,
  ): Promise<SourceResponse<T>> {
    for (;;) {
      const token = pick(resource);
      if (!token) {
        throw new CredentialsRejectedError({
          url: '',
          source: `${options.name} (every token rejected: ${[...rejected].join(', ')})`,
        });
      }
      try {
        return await call(token.client);
      } catch (err) {
        if (!(err instanceof CredentialsRejectedError)) throw err;
        rejected.add(token.name);
        // `token_name`, not `token`: the logger redacts any `token` key, and the name is what the reader needs.
        options.logger?.warn(
          { source: options.name, token_name: token.name, tokens_left: tokens.length - rejected.size },
          'github token rejected; skipped for this run',
        );
      }
    }
  }

  return {
    source: 'github',
    name: options.name,
    rejected: () => [...rejected],
    get: (path: string, callOptions?: RequestOptions) =>
      send((c) => c.get(path, callOptions), callOptions?.resource),
    post: (path: string, body: unknown, callOptions?: RequestOptions) =>
      send((c) => c.post(path, body, callOptions), callOptions?.resource),
  };
}
