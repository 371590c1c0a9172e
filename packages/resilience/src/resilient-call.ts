import type { Breaker } from './breakers.ts';
import { HttpError } from './errors.ts';
import type { RateLimitGovernor } from './governor.ts';
import { retry } from './retry.ts';
import type { AttemptContext, RetryOptions } from './retry.ts';

/** The stack for one target: its governor (per integration), retry settings and breaker. */
export interface ResilientCallStack {
  governor?: RateLimitGovernor;
  /** The governor budget the call draws on (GitHub: `core` for REST, `graphql`); default `core`. */
  resource?: string;
  retry?: RetryOptions;
  breaker: Breaker;
}

/*
 * Order: governor → retry → breaker (DESIGN §4), outermost first.
 * - The governor is outermost so one logical request holds one concurrency slot for its whole
 *   life, backoff included: a struggling upstream never sees more than `concurrency` requests
 *   from us, and retries do not jump ahead of quota spacing.
 * - The breaker is innermost so every attempt counts towards (or is stopped by) it: N failed
 *   attempts open it, and an attempt made while it is open fails fast without touching the wire.
 * - `BreakerOpenError` is not retryable, so the retry loop surfaces it at once instead of
 *   spinning (or sleeping with a slot held); the caller pauses the run until `retryAt`.
 */

/**
 * Runs `fn` through governor → retry → breaker. Rate-limit headers on `HttpError`s are fed to
 * the governor here; feed successful responses' headers with `governor.observe` in `fn`.
 */
export function resilientCall<T>(
  stack: ResilientCallStack,
  fn: (ctx: AttemptContext) => Promise<T>,
): Promise<T> {
  const { governor, breaker } = stack;
  const options: RetryOptions = { source: breaker.name, ...stack.retry };
  const attempt = (ctx: AttemptContext): Promise<T> =>
    breaker.execute(async () => {
      try {
        return await fn(ctx);
      } catch (err) {
        if (err instanceof HttpError) governor?.observe(err.headers);
        throw err;
      }
    });
  const run = (): Promise<T> => retry(attempt, options);
  return governor ? governor.schedule(run, options.signal, stack.resource) : run();
}
