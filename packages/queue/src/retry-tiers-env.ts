import type { RetryTier } from './topology.ts';

/**
 * Delay tiers from a config value such as "5000,30000,300000" → tiers labelled
 * 5s, 30s, 5m. Every process on a broker must declare the same tiers, so every
 * service reads them from the same variable (RETRY_TIERS_MS) through this.
 */
export function retryTiersFromMs(list: string): RetryTier[] {
  return list
    .split(',')
    .map((part) => Number(part.trim()))
    .map((ms) => ({
      ttlMs: ms,
      label: ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`,
    }));
}
