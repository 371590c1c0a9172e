import { z } from 'zod';
import { parseEnv, portField, sharedEnvFields } from '@tributary/contracts';

const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  BACKEND_URL: z.string().url().default('http://127.0.0.1:8080'),
  TRIBUTARY_SERVICE_TOKEN: z.string().min(16, 'must be at least 16 characters'),
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
  /** How long a redelivered message waits for a silent extractor's heartbeat to go stale (then takes the job over). */
  TAKEOVER_WAIT_SECONDS: positiveInt.default(180),
  /** Retry budget per source request (DESIGN §4: 1 s base, ×2, cap 30 s, 4 retries). */
  SOURCE_RETRIES: z.coerce.number().int().min(0).max(20).default(4),
  SOURCE_RETRY_BASE_MS: positiveInt.default(1000),
  SOURCE_RETRY_CAP_MS: positiveInt.default(30_000),
  SOURCE_TIMEOUT_MS: positiveInt.default(30_000),
  /** Concurrent requests per integration (the governor's cap). */
  SOURCE_CONCURRENCY: positiveInt.default(4),
});

export type ExtractConfig = z.infer<typeof envSchema>;

/** Parses the environment once; a bad value throws naming the variable. */
export function loadExtractConfig(env: NodeJS.ProcessEnv = process.env): ExtractConfig {
  return parseEnv(envSchema, env);
}
