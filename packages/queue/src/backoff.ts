import { backoffDelay } from '@tributary/resilience';

// The one sleep and full-jitter backoff live in @tributary/resilience; consumer.ts still imports
// them from here under the names it has always used.
export { sleepOrWake as sleep } from '@tributary/resilience';

/** Full-jitter delay in [0, min(capMs, baseMs × 2^attempt)): `backoffDelay` with the queue's argument order. */
export function fullJitter(attempt: number, baseMs: number, capMs: number): number {
  return backoffDelay(Math.max(0, attempt), { baseMs, capMs });
}
