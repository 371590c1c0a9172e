import { z } from 'zod';
import { distinctTokens, parseEnv, portField, sharedEnvFields, tokenField } from '@tributary/contracts';

const positiveInt = z.coerce.number().int().positive();

const envSchema = z
  .object({
    BACKEND_URL: z.url().default('http://127.0.0.1:8080'),
    /** What this service presents to the backend (extract → backend). */
    TRIBUTARY_SERVICE_TOKEN: tokenField,
    /** What the backend presents to this service (backend → extract): a different secret. */
    TRIBUTARY_EXTRACT_TOKEN: tokenField,
    /** The operator's token; when set it is also admitted to GET /breakers and breaker resets. */
    TRIBUTARY_ADMIN_TOKEN: tokenField.optional(),
    /** Loopback and private source addresses are refused unless allowed (the simulator runs on loopback). */
    ALLOW_PRIVATE_INTEGRATION_HOSTS: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    /** Largest response body one source call may return; larger ones are cut off and fail the job. */
    SOURCE_MAX_RESPONSE_BYTES: positiveInt.default(32 * 1024 * 1024),
    ...sharedEnvFields,
    PORT: portField(8081),
    /** Jobs extracted at once by this process. */
    EXTRACT_CONCURRENCY: positiveInt.default(2),
    /** Redeliveries of an extract message (backend or broker trouble) before it is dead-lettered. */
    EXTRACT_MAX_ATTEMPTS: positiveInt.default(20),
    /** How long a job waits for an unreachable backend before it hands the job back to the queue. */
    BACKEND_DOWN_PAUSE_SECONDS: positiveInt.default(120),
    /** How long a job waits in all for open source breakers before it fails. */
    SOURCE_BREAKER_WAIT_SECONDS: positiveInt.default(1800),
    HEARTBEAT_SECONDS: positiveInt.default(10),
    /**
     * The breaker in front of the backend stays open this long (EXTERNAL_CB_TIMEOUT_SECONDS is for
     * Jira and GitHub): a backend restart takes seconds, and every job waits while it is open.
     */
    BACKEND_CB_OPEN_SECONDS: positiveInt.default(5),
    /** Source breakers (DESIGN §4): consecutive failures that open one. */
    EXTERNAL_CB_THRESHOLD: positiveInt.default(5),
    /** How long an open source breaker stays open before it lets probes through; fractions allowed (tests use 2). */
    EXTERNAL_CB_TIMEOUT_SECONDS: z.coerce.number().positive().default(60),
    /** Probes a half-open breaker lets through at once. */
    EXTERNAL_CB_HALF_OPEN_MAX_CALLS: positiveInt.default(3),
    /** How long a redelivered message waits for a silent extractor's heartbeat to go stale (then takes the job over). */
    TAKEOVER_WAIT_SECONDS: positiveInt.default(180),
    /** Retry budget per source request (DESIGN §4: 1 s base, ×2, cap 30 s, 4 retries). */
    SOURCE_RETRIES: z.coerce.number().int().min(0).max(20).default(4),
    SOURCE_RETRY_BASE_MS: positiveInt.default(1000),
    SOURCE_RETRY_CAP_MS: positiveInt.default(30_000),
    SOURCE_TIMEOUT_MS: positiveInt.default(30_000),
    /**
     * Pages of one stream in flight: while one is stored, the next are fetched (1 = one at a time).
     * 2 hides a source's latency behind the store; more only helps when storing is slower than fetching.
     */
    EXTRACT_PAGES_IN_FLIGHT: positiveInt.default(2),
    /**
     * Streams of one job read at once; all of them share the integration's governor (SOURCE_CONCURRENCY).
     * 4 is every stream of either source: a job takes as long as its longest stream, not their sum.
     */
    EXTRACT_STREAM_CONCURRENCY: positiveInt.default(4),
    /** Concurrent requests per integration (the governor's cap). */
    SOURCE_CONCURRENCY: positiveInt.default(4),
    /**
     * GitHub deployments of one list page whose statuses are fetched at once (one request each),
     * always within SOURCE_CONCURRENCY; 1 fetches them one after another.
     */
    GITHUB_STATUS_CONCURRENCY: positiveInt.default(8),
  })
  .superRefine(distinctTokens('TRIBUTARY_SERVICE_TOKEN', 'TRIBUTARY_EXTRACT_TOKEN', 'TRIBUTARY_ADMIN_TOKEN'));

export type ExtractConfig = z.infer<typeof envSchema>;

/** Parses the environment once; a bad value throws naming the variable. */
export function loadExtractConfig(env: NodeJS.ProcessEnv = process.env): ExtractConfig {
  return parseEnv(envSchema, env);
}
