import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable } from '@tributary/db';
import { Breaker, BREAKER_DEFAULTS, BreakerOpenError, type BreakerState } from '@tributary/resilience';
import type { Logger } from '@tributary/observability';

/**
 * The worker's circuit breaker on Postgres. Only "the database is unavailable"
 * errors count (down, restarting, hung past the statement timeout); a bad record
 * or a constraint violation does not. While it is open the transform consumer is
 * paused (see worker.ts), and one probe in half-open closes it again.
 */
export function createDatabaseBreaker(options: {
  failureThreshold: number;
  openMs: number;
  logger: Logger;
  onStateChange: (to: BreakerState) => void;
}): Breaker {
  return new Breaker(
    'postgres',
    {
      ...BREAKER_DEFAULTS,
      failureThreshold: options.failureThreshold,
      openMs: options.openMs,
      halfOpenMaxCalls: 1,
      successesToClose: 1,
      isFailure: isDatabaseUnavailable,
    },
    { logger: options.logger, onStateChange: (_name, _from, to) => options.onStateChange(to) },
  );
}

/**
 * Runs `work` through the breaker. While the database is unavailable (the
 * breaker is open, or this failure just opened it / failed its probe) the
 * message stays in hand and is tried again at the next probe instead of
 * failing: an outage neither burns a message's retry attempts nor sends it to
 * the dead letters. (The batch is one transaction, so trying it again is safe.)
 * Gives up, rethrowing, when `signal` aborts (the worker is stopping) or after
 * `maxHoldMs`; the message then takes the ordinary retry path.
 */
export async function throughDatabaseBreaker<T>(
  breaker: Breaker,
  work: () => Promise<T>,
  signal: AbortSignal,
  maxHoldMs = 10 * 60_000,
): Promise<T> {
  const giveUpAt = Date.now() + maxHoldMs;
  for (;;) {
    try {
      return await breaker.execute(work);
    } catch (error) {
      const outage =
        error instanceof BreakerOpenError || (isDatabaseUnavailable(error) && breaker.state !== 'CLOSED');
      if (!outage || signal.aborted || Date.now() >= giveUpAt) throw error;
      const waitMs =
        error instanceof BreakerOpenError
          ? error.retryAt.getTime() - Date.now()
          : (breaker.status().msUntilHalfOpen ?? 1000);
      try {
        await sleep(Math.max(100, waitMs), undefined, { signal });
      } catch {
        throw error;
      }
    }
  }
}
