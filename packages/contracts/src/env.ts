import { z } from 'zod';

/**
 * The settings every service shares, with the same names and defaults, so a
 * stack configured once agrees with itself (the broker topology in particular:
 * every process declares the same delay tiers).
 */
export const sharedEnvFields = {
  AMQP_URL: z.string().default('amqp://guest:guest@127.0.0.1:5672'),
  /** Prefix for exchange and queue names, so parallel test runs share a broker without sharing queues. */
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9_.-]*$/).default(''),
  /** Delay tiers of the retry queues, in milliseconds. */
  RETRY_TIERS_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be a comma-separated list of milliseconds')
    .default('5000,30000,300000'),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** A TCP port setting with its default. */
export const portField = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Parses a service's environment once; a bad value throws an error naming the variable. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
