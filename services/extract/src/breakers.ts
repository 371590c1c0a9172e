import { breakerConfigFromEnv, createBreakerRegistry, type BreakerRegistry } from '@tributary/resilience';
import type { Logger } from '@tributary/observability';
import type { ExtractConfig } from './config.ts';

/**
 * The extractor's breakers: Jira and GitHub ones open for EXTERNAL_CB_TIMEOUT_SECONDS (a
 * source outage lasts minutes); the one in front of our own backend opens only for
 * BACKEND_CB_OPEN_SECONDS, since a backend restart takes seconds and every job waits on it.
 */
export function createExtractBreakers(
  config: ExtractConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): BreakerRegistry {
  return createBreakerRegistry({
    defaults: breakerConfigFromEnv(env),
    overrides: { backend: { openMs: config.BACKEND_CB_OPEN_SECONDS * 1000 } },
    logger,
    onStateChange: (name, from, to) =>
      logger.warn({ breaker: name, from, to }, 'circuit breaker changed state'),
  });
}
