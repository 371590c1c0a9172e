import type { ExtractDeps } from './run-extract-job.ts';

/**
 * Run settings for tests: no source retries and short waits, so a failure shows at once instead
 * of after the production back-offs.
 */
export const TEST_RUN_SETTINGS: ExtractDeps['settings'] = {
  heartbeatSeconds: 10,
  backendDownPauseSeconds: 5,
  sourceBreakerWaitSeconds: 5,
  sourceRetry: { retries: 0, baseMs: 10, capMs: 10 },
  sourceTimeoutMs: 5000,
  maxTakeoverWaitSeconds: 5,
};
