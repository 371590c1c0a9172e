import { z } from 'zod';
import { retryTiersFromMs, type RetryTier } from '@tributary/queue';

const positiveInt = z.coerce.number().int().positive();

const envSchema = z
  .object({
    DATABASE_URL: z.string().url(),
    AMQP_URL: z.string().default('amqp://guest:guest@127.0.0.1:5672'),
    QUEUE_PREFIX: z.string().regex(/^[a-z0-9_.-]*$/).default(''),
    RETRY_TIERS_MS: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be a comma-separated list of milliseconds')
      .default('5000,30000,300000'),
    /** Attempts before a transiently failing transform message is dead-lettered. */
    TRANSFORM_MAX_ATTEMPTS: positiveInt.default(5),
    /** Concurrent transform messages per process: clamp(ceil(depth × per-batch factor), min, max). */
    WORKER_MIN: positiveInt.default(1),
    WORKER_MAX: positiveInt.default(8),
    WORKER_PER_BATCH: z.coerce.number().positive().default(0.1),
    WORKER_RESIZE_SECONDS: positiveInt.default(30),
    SWEEPER_INTERVAL_SECONDS: positiveInt.default(60),
    /** How long a raw row may stay pending before its transform job is published again. */
    SWEEPER_PENDING_AGE_SECONDS: positiveInt.default(600),
    DB_POOL_MAX: positiveInt.default(10),
    /** The worker's health and metrics port (0 picks a free one). */
    PORT: z.coerce.number().int().min(0).max(65535).default(8082),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((env) => env.WORKER_MIN <= env.WORKER_MAX, { message: 'must not exceed WORKER_MAX', path: ['WORKER_MIN'] });

export type WorkerConfig = z.infer<typeof envSchema> & { retryTiers: RetryTier[] };

/** Parses the worker's environment once; a bad value throws naming the variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  return { ...parsed.data, retryTiers: retryTiersFromMs(parsed.data.RETRY_TIERS_MS) };
}
