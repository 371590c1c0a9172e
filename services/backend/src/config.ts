import { z } from 'zod';
import { distinctTokens, parseEnv, portField, sharedEnvFields, tokenField } from '@tributary/contracts';

/**
 * A random 32-byte key has ~30 distinct byte values; fewer than 12 means a made-up key (all
 * zeros, a repeated character, a short pattern), which anyone can guess.
 */
const MIN_DISTINCT_KEY_BYTES = 12;

const base64Key = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, {
    message: 'must be 32 bytes, base64-encoded',
  })
  .refine((value) => new Set(Buffer.from(value, 'base64')).size >= MIN_DISTINCT_KEY_BYTES, {
    message: 'is a weak key (all-zero or low-entropy); generate one with `openssl rand -base64 32`',
  });

/** An on/off setting: exactly `true` or `false`, `fallback` when unset. */
const booleanFlag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((value) => value === 'true');

const envSchema = z
  .object({
    DATABASE_URL: z.url(),
    /** Where migrations run at start, when DATABASE_URL goes through PgBouncer in transaction mode (the migrator holds a session advisory lock); default DATABASE_URL. */
    MIGRATION_DATABASE_URL: z.url().optional(),
    ...sharedEnvFields,
    PORT: portField(8080),
    TRIBUTARY_ADMIN_TOKEN: tokenField,
    /** What the extract service presents to us (extract → backend). */
    TRIBUTARY_SERVICE_TOKEN: tokenField,
    /** What we present to the extract service (backend → extract): a different secret. */
    TRIBUTARY_EXTRACT_TOKEN: tokenField,
    TRIBUTARY_ENCRYPTION_KEY: base64Key,
    /** Older keys, comma-separated, still able to decrypt rows sealed before a rotation. */
    TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS: z
      .string()
      .default('')
      .transform((value) => value.split(',').filter(Boolean))
      .pipe(z.array(base64Key)),
    /** Where the backend reaches the extract service for connection tests. */
    EXTRACT_URL: z.url().default('http://127.0.0.1:8081'),
    /** Hosts integrations may point at; empty means any public host. */
    INTEGRATION_HOST_ALLOWLIST: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean),
      ),
    /** Loopback and private addresses are refused unless allowed (the simulator and tests run on loopback). */
    ALLOW_PRIVATE_INTEGRATION_HOSTS: booleanFlag('false'),
    /** A failed run is tried again after this delay (5–30 min is sensible), up to JOB_MAX_ATTEMPTS runs in all. */
    JOB_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
    JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
    /**
     * How long the backend's claim on the outbox rows of a stored page holds: it publishes them
     * right after the commit; if it dies first, the outbox relay takes them once the claim ran out.
     */
    OUTBOX_CLAIM_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
    /** Deadline of each after-commit transform publish; past it the rows are left to the relay. */
    OUTBOX_PUBLISH_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    /** A RUNNING job whose extractor sent no heartbeat for this long may be claimed by another (its extractor died). */
    JOB_STALE_HEARTBEAT_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
    /** How often the scheduler looks at cron schedules, due retries and stuck PENDING jobs. */
    SCHEDULER_TICK_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
    /**
     * A PENDING job older than this is published again (its extract message was lost, or the
     * broker was down when the run was started). Default: 4 scheduler ticks, at least 2 min.
     */
    JOB_PENDING_REPUBLISH_SECONDS: z.coerce.number().int().min(1).max(86_400).optional(),
    /** How often webhook notifications (job failed / recovered, dead letters, open breakers) are looked for and sent. */
    NOTIFY_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    SCHEDULER_ENABLED: booleanFlag('true'),
    /** How often connected dashboards get a system_health snapshot over the live channel. */
    EVENTS_HEALTH_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
    /** How often an open live-channel socket's token is checked again (a revoked token stops receiving). */
    EVENTS_TOKEN_RECHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /** The built dashboard (static files served at /); empty means services/dashboard/dist. */
    DASHBOARD_DIR: z.string().default(''),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    /** A schedule may run an integration at most once per this many minutes (5-field cron only). */
    SCHEDULE_MIN_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
    /** Failed authentications per client address per minute before answers turn into 429. */
    AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  })
  .superRefine(distinctTokens('TRIBUTARY_ADMIN_TOKEN', 'TRIBUTARY_SERVICE_TOKEN', 'TRIBUTARY_EXTRACT_TOKEN'));

export type BackendConfig = z.infer<typeof envSchema>;

/** Parses the environment once; a bad value throws an error naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  return parseEnv(envSchema, env);
}
