import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_LIMITS, faultRuleSchema } from './config.ts';
import type { SimulatorConfig } from './config.ts';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const optInt = (min = 0) => z.coerce.number().int().min(min).optional();

const envSchema = z.object({
  PORT: int(8090).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default('127.0.0.1'),
  SIM_SEED: z.coerce.number().int().default(42),
  SIM_JIRA_PROJECTS: int(2, 1),
  SIM_JIRA_ISSUES: int(50),
  SIM_GITHUB_REPOS: int(2, 1),
  SIM_GITHUB_PRS: int(30),
  SIM_GITHUB_OWNER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/)
    .default('tributary-sim'),
  SIM_JIRA_EMAIL: z.string().min(1).default('sim@example.com'),
  SIM_JIRA_API_TOKEN: z.string().min(1).default('sim-token'),
  /** The Jira user's time zone (IANA), in which JQL dates are read. */
  SIM_JIRA_TIME_ZONE: z.string().min(1).default('UTC'),
  /** Issues with a 300-level nested description (refused by the raw layer). */
  SIM_JIRA_DEEP_ISSUES: int(0),
  SIM_GITHUB_TOKENS: z.string().min(1).default('sim-github-token'),
  /** Requests per token per window for both APIs (0 = unlimited); the per-API variables win. */
  SIM_RATE_LIMIT: optInt(),
  SIM_RATE_WINDOW_SECONDS: optInt(1),
  SIM_JIRA_RATE_LIMIT: optInt(),
  SIM_GITHUB_RATE_LIMIT: optInt(),
  SIM_BURST_LIMIT: optInt(1),
  SIM_BURST_WINDOW_SECONDS: int(1, 1),
  SIM_BURST_STATUS: z.coerce
    .number()
    .pipe(z.union([z.literal(403), z.literal(429)]))
    .default(403),
  SIM_LATENCY_MS: int(0),
  /** JSON array of fault rules, same shape as POST /_sim/faults. */
  SIM_FAULTS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return [];
      try {
        return z.array(faultRuleSchema).parse(JSON.parse(s));
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          message: `not a JSON array of fault rules: ${e instanceof Error ? e.message : String(e)}`,
        });
        return z.NEVER;
      }
    }),
  SIM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export class EnvError extends Error {}

export interface MainSettings {
  port: number;
  host: string;
  config: SimulatorConfig;
}

const FLAG_TO_ENV = {
  seed: 'SIM_SEED',
  'jira-projects': 'SIM_JIRA_PROJECTS',
  issues: 'SIM_JIRA_ISSUES',
  repos: 'SIM_GITHUB_REPOS',
  prs: 'SIM_GITHUB_PRS',
  port: 'PORT',
  host: 'HOST',
} as const;

/** CLI flags override environment variables; errors name the offending variable or flag. */
export function loadSettings(env: NodeJS.ProcessEnv, argv: string[]): MainSettings {
  let flags: Record<string, string | undefined>;
  try {
    const parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.keys(FLAG_TO_ENV).map((k) => [k, { type: 'string' as const }])),
      strict: true,
    });
    flags = parsed.values;
  } catch (e) {
    throw new EnvError(e instanceof Error ? e.message : String(e));
  }
  const merged: Record<string, string | undefined> = { ...env };
  for (const [flag, name] of Object.entries(FLAG_TO_ENV)) {
    const v = flags[flag];
    if (v !== undefined) merged[name] = v;
  }
  // Empty variables count as unset, as shells often export them blank.
  for (const k of Object.keys(merged)) if (merged[k] === '') delete merged[k];
  // The shared LOG_LEVEL (used by the other services) applies unless SIM_LOG_LEVEL says otherwise.
  merged.SIM_LOG_LEVEL ??= merged.LOG_LEVEL;
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const msgs = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '');
      const flag = Object.entries(FLAG_TO_ENV).find(([, n]) => n === name)?.[0];
      return `${name}${flag ? ` (--${flag})` : ''}: ${i.message} (got ${JSON.stringify(merged[name])})`;
    });
    throw new EnvError(`invalid simulator settings:\n  ${msgs.join('\n  ')}`);
  }
  const e = parsed.data;
  const jiraLimit = e.SIM_JIRA_RATE_LIMIT ?? e.SIM_RATE_LIMIT;
  const githubLimit = e.SIM_GITHUB_RATE_LIMIT ?? e.SIM_RATE_LIMIT;
  return {
    port: e.PORT,
    host: e.HOST,
    config: {
      seed: e.SIM_SEED,
      jira: {
        projects: e.SIM_JIRA_PROJECTS,
        issues: e.SIM_JIRA_ISSUES,
        credentials: [{ email: e.SIM_JIRA_EMAIL, apiToken: e.SIM_JIRA_API_TOKEN }],
        timeZone: e.SIM_JIRA_TIME_ZONE,
        deepIssues: e.SIM_JIRA_DEEP_ISSUES,
      },
      github: {
        repos: e.SIM_GITHUB_REPOS,
        prs: e.SIM_GITHUB_PRS,
        owner: e.SIM_GITHUB_OWNER,
        tokens: e.SIM_GITHUB_TOKENS.split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      },
      limits: {
        jira: {
          limit: jiraLimit ?? DEFAULT_LIMITS.jira.limit,
          windowSeconds: e.SIM_RATE_WINDOW_SECONDS ?? DEFAULT_LIMITS.jira.windowSeconds,
        },
        github: {
          limit: githubLimit ?? DEFAULT_LIMITS.github.limit,
          windowSeconds: e.SIM_RATE_WINDOW_SECONDS ?? DEFAULT_LIMITS.github.windowSeconds,
        },
        burst: e.SIM_BURST_LIMIT
          ? {
              limit: e.SIM_BURST_LIMIT,
              windowSeconds: e.SIM_BURST_WINDOW_SECONDS,
              status: e.SIM_BURST_STATUS,
              retryAfter: e.SIM_BURST_WINDOW_SECONDS,
            }
          : null,
      },
      faults: e.SIM_FAULTS,
      latencyMs: e.SIM_LATENCY_MS,
      logger: e.SIM_LOG_LEVEL === 'silent' ? false : { level: e.SIM_LOG_LEVEL },
    },
  };
}
