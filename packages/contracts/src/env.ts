import { z } from 'zod';
import { formatIssues } from './zod-issues.ts';

/**
 * The settings every service shares, with the same names and defaults, so a
 * stack configured once agrees with itself (the broker topology in particular:
 * every process declares the same delay tiers).
 */
export const sharedEnvFields = {
  AMQP_URL: z.string().default('amqp://guest:guest@127.0.0.1:5672'),
  /** Prefix for exchange and queue names, so parallel test runs share a broker without sharing queues. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_.-]*$/)
    .default(''),
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
    throw new Error(`invalid configuration: ${formatIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

/** A bearer token setting: long enough to be unguessable, header-safe. */
export const tokenField = z
  .string()
  .min(16, 'must be at least 16 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters only');

/**
 * Issues for tokens that must differ (admin, extract → backend, backend → extract): one secret in
 * two roles would let whoever holds it act in both, which is what separate tokens are for.
 */
export function equalTokenIssues(
  tokens: Readonly<Record<string, string | undefined>>,
): { path: string[]; message: string }[] {
  const entries = Object.entries(tokens).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const issues: { path: string[]; message: string }[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      if (entries[i]![1] === entries[j]![1]) {
        issues.push({ path: [entries[j]![0]], message: `must differ from ${entries[i]![0]}` });
      }
    }
  }
  return issues;
}

/**
 * A `superRefine` for a service's env schema: an issue on each token that equals one named before
 * it (see {@link equalTokenIssues}).
 */
export function distinctTokens<K extends string>(...names: readonly K[]) {
  return (env: Readonly<Partial<Record<K, string>>>, ctx: z.RefinementCtx): void => {
    const tokens = Object.fromEntries(names.map((name) => [name, env[name]]));
    for (const issue of equalTokenIssues(tokens)) ctx.addIssue({ code: 'custom', ...issue });
  };
}
