import { z } from 'zod';
import { parseEnv, portField, sharedEnvFields } from '@tributary/contracts';
import { retryTiersFromMs, type RetryTier } from '@tributary/queue';

const positiveInt = z.coerce.number().int().positive();

const envSchema = z
  .object({
    DATABASE_URL: z.url(),
    ...sharedEnvFields,
    /** Attempts before a transiently failing transform message is dead-lettered. */
    TRANSFORM_MAX_ATTEMPTS: positiveInt.default(5),
    /** Concurrent transform messages per process: clamp(ceil(depth × per-batch factor), min, max). */
    WORKER_MIN: positiveInt.default(1),
    WORKER_MAX: positiveInt.default(8),
    WORKER_PER_BATCH: z.coerce.number().positive().default(0.1),
    /** Transform messages loaded in one transaction (fewer commits and round trips per record). */
    WORKER_BATCH_MESSAGES: positiveInt.default(4),
    /** How long a partial batch waits for more messages before it is loaded anyway. */
    WORKER_BATCH_WAIT_MS: positiveInt.default(20),
    WORKER_RESIZE_SECONDS: positiveInt.default(30),
    /** How often the outbox relay (outbox/outbox-relay.ts) publishes rows no commit's own relay pass took (default 60). */
    OUTBOX_RELAY_INTERVAL_SECONDS: positiveInt.optional(),
    /**
     * The outbox relay's lease on rows it publishes: a relay that dies mid-publish leaves them to
     * another after this (default 120). Rows whose publish was confirmed are never published again,
     * however long they wait in the queue.
     */
    OUTBOX_RELAY_LEASE_SECONDS: positiveInt.optional(),
    // The names these had when the relay was an age-based sweeper; read when the new ones are unset.
    SWEEPER_INTERVAL_SECONDS: positiveInt.optional(),
    SWEEPER_PENDING_AGE_SECONDS: positiveInt.optional(),
    /** Raw versions kept per entity, the latest included (older completed ones are pruned); 0 keeps every version. */
    RAW_KEEP_VERSIONS: z.coerce.number().int().min(0).default(3),
    /** Older raw versions younger than this many days are kept as well; 0 = no age rule. */
    RAW_KEEP_DAYS: z.coerce.number().int().min(0).default(0),
    RAW_PRUNE_INTERVAL_SECONDS: positiveInt.default(300),
    // Flow summaries: rebuild after a configuration change, fold the change log (flow-summary-job.ts).
    FLOW_SUMMARY_INTERVAL_SECONDS: positiveInt.default(30),
    /** Raw rows deleted per pruning transaction. */
    RAW_PRUNE_BATCH: positiveInt.default(500),
    DB_POOL_MAX: positiveInt.default(10),
    /** Bounds every statement (server side) and, with a margin, every query (client side). */
    DB_STATEMENT_TIMEOUT_MS: positiveInt.default(30_000),
    /** Consecutive "database unavailable" failures that open the worker's database breaker (pausing the transform consumer). */
    WORKER_DB_CB_THRESHOLD: positiveInt.default(3),
    /** How long that breaker stays open before one probe batch is let through. */
    WORKER_DB_CB_OPEN_SECONDS: z.coerce.number().positive().default(10),
    /** The worker's health and metrics port (0 picks a free one). */
    PORT: portField(8082),
  })
  .refine((env) => env.WORKER_MIN <= env.WORKER_MAX, {
    message: 'must not exceed WORKER_MAX',
    path: ['WORKER_MIN'],
  })
  .transform(({ SWEEPER_INTERVAL_SECONDS, SWEEPER_PENDING_AGE_SECONDS, ...env }) => ({
    ...env,
    OUTBOX_RELAY_INTERVAL_SECONDS: env.OUTBOX_RELAY_INTERVAL_SECONDS ?? SWEEPER_INTERVAL_SECONDS ?? 60,
    OUTBOX_RELAY_LEASE_SECONDS: env.OUTBOX_RELAY_LEASE_SECONDS ?? SWEEPER_PENDING_AGE_SECONDS ?? 120,
  }));

/** Deprecated variable names the worker still reads, and the names that replaced them. */
export const DEPRECATED_WORKER_ENV = {
  SWEEPER_INTERVAL_SECONDS: 'OUTBOX_RELAY_INTERVAL_SECONDS',
  SWEEPER_PENDING_AGE_SECONDS: 'OUTBOX_RELAY_LEASE_SECONDS',
} as const;

export type WorkerConfig = z.infer<typeof envSchema> & {
  retryTiers: RetryTier[];
  /** One line per deprecated variable that is set, for the worker to log at start. */
  deprecations: string[];
};

/** Parses the worker's environment once; a bad value throws naming the variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = parseEnv(envSchema, env);
  const deprecations = Object.entries(DEPRECATED_WORKER_ENV)
    .filter(([old]) => env[old] !== undefined)
    .map(([old, replacement]) =>
      env[replacement] === undefined
        ? `${old} is deprecated: set ${replacement} instead`
        : `${old} is deprecated and ignored: ${replacement} is set`,
    );
  return { ...parsed, retryTiers: retryTiersFromMs(parsed.RETRY_TIERS_MS), deprecations };
}
