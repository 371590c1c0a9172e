// Resilience stack for outbound calls (DESIGN §4): rate-limit governor → retry → circuit breaker.
export { Breaker, BREAKER_DEFAULTS, createBreakerRegistry, defaultIsFailure } from './breakers.ts';
export type {
  BreakerConfig,
  BreakerHooks,
  BreakerRegistry,
  BreakerRegistryOptions,
  BreakerState,
  BreakerStatus,
} from './breakers.ts';
export {
  BreakerOpenError,
  CredentialsRejectedError,
  HttpError,
  httpErrorFrom,
  isRateLimit403,
  isRetryable,
  MalformedResponseError,
  RateLimitedError,
  resumeAt,
  UpstreamUnavailableError,
} from './errors.ts';
export type { GiveUpReason, HttpErrorInit } from './errors.ts';
export { createGovernor, GOVERNOR_DEFAULTS, RateLimitGovernor } from './governor.ts';
export type { GovernorOptions, GovernorState } from './governor.ts';
export { normalizeHeaders, parseResetAt, parseRetryAfter, readRateLimit, serverWaitMs } from './headers.ts';
export type { HeaderInput, HeaderMap, RateLimitInfo } from './headers.ts';
export type { ResilienceLogger } from './logger.ts';
export { resilientCall } from './resilient-call.ts';
export type { ResilientCallStack } from './resilient-call.ts';
export { backoffDelay, retry, RETRY_DEFAULTS } from './retry.ts';
export type { AttemptContext, BackoffOptions, RetryOptions } from './retry.ts';
export { sleep, sleepOrWake } from './sleep.ts';
export { prefetchFor, workerCount } from './worker-sizing.ts';
export type { WorkerSizing } from './worker-sizing.ts';
