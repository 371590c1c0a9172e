import { createBreakerRegistry, type BreakerRegistry } from '@tributary/resilience';
import type { Logger } from '@tributary/observability';
import type { ExtractConfig } from './config.ts';

/**
 * The extractor's breakers: Jira and GitHub ones open for EXTERNAL_CB_TIMEOUT_SECONDS (a
 * source outage lasts minutes); the one in front of our own backend opens only for
 * BACKEND_CB_OPEN_SECONDS, since a backend restart takes seconds and every job waits on it.
 * The backend breaker is created here, with its own open period, before anyone asks for it.
 */
export function createExtractBreakers(config: ExtractConfig, logger: Logger): BreakerRegistry {
  const registry = createBreakerRegistry({
    defaults: {
      failureThreshold: config.EXTERNAL_CB_THRESHOLD,
      openMs: Math.round(config.EXTERNAL_CB_TIMEOUT_SECONDS * 1000),
      halfOpenMaxCalls: config.EXTERNAL_CB_HALF_OPEN_MAX_CALLS,
    },
    logger,
    onStateChange: (name, from, to) =>
      logger.warn({ breaker: name, from, to }, 'circuit breaker changed state'),
  });
  registry.get('backend', { openMs: config.BACKEND_CB_OPEN_SECONDS * 1000 });
  return registry;
}
