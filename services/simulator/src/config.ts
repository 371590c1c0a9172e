import { z } from 'zod';

export const FAULT_KINDS = ['status', 'hang', 'reset', 'truncated', 'malformed', 'latency'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultRuleSchema = z.object({
  /** Glob (`*` = one path segment, `**` = anything) or, when prefixed with `re:` or `^`, a regular expression. Matched against the path without query string. */
  path: z.string().min(1),
  method: z.string().optional(),
  kind: z.enum(FAULT_KINDS),
  status: z.number().int().min(100).max(599).optional(),
  retry_after: z.number().nonnegative().optional(),
  count: z.number().int().positive().optional(),
  probability: z.number().min(0).max(1).optional(),
  latency_ms: z.number().nonnegative().optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const rateLimitSchema = z.object({
  /** Requests allowed per token per window; 0 disables the limit. */
  limit: z.number().int().nonnegative(),
  windowSeconds: z.number().positive(),
});
export type RateLimitSettings = z.infer<typeof rateLimitSchema>;

export const burstLimitSchema = z.object({
  limit: z.number().int().positive(),
  windowSeconds: z.number().positive(),
  /** GitHub answers secondary limits with 403 or 429; Jira always uses 429. */
  status: z.union([z.literal(403), z.literal(429)]).default(403),
  retryAfter: z.number().nonnegative().default(60),
});
export type BurstLimitSettings = z.infer<typeof burstLimitSchema>;

export interface LimitsConfig {
  /** Jira quota; `limit: 0` means unlimited (Jira headers are then omitted). */
  jira: RateLimitSettings;
  /** GitHub primary quota; real default is 5000 per hour. */
  github: RateLimitSettings;
  /** Secondary (burst) limit per token across both APIs, or null for none. */
  burst: BurstLimitSettings | null;
}

/** What `buildSimulator` accepts; every field is optional. */
export interface SimulatorConfig {
  seed?: number;
  jira?: {
    projects?: number;
    issues?: number;
    credentials?: Array<{ email: string; apiToken: string }>;
    /** The integration user's time zone (`/myself`), in which JQL dates are read. Default UTC. */
    timeZone?: string;
    /** Issues whose description nests 300 levels deep (a record the raw layer must refuse alone). Default 0. */
    deepIssues?: number;
  };
  github?: {
    repos?: number;
    prs?: number;
    owner?: string;
    tokens?: string[];
  };
  limits?: Partial<LimitsConfig>;
  faults?: FaultRule[];
  /** Added to every non-control request. */
  latencyMs?: number;
  /** Passed to Fastify; false (default) keeps tests quiet. */
  logger?: boolean | { level: string };
  /** Clock for run-time mutations and rate windows; defaults to Date.now. */
  now?: () => number;
}

export interface ResolvedConfig {
  seed: number;
  jira: {
    projects: number;
    issues: number;
    credentials: Array<{ email: string; apiToken: string }>;
    timeZone: string;
    deepIssues: number;
  };
  github: { repos: number; prs: number; owner: string; tokens: string[] };
  limits: LimitsConfig;
  faults: FaultRule[];
  latencyMs: number;
  logger: boolean | { level: string };
  now: () => number;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  jira: { limit: 0, windowSeconds: 60 },
  github: { limit: 5000, windowSeconds: 3600 },
  burst: null,
};

export function resolveConfig(c: SimulatorConfig = {}): ResolvedConfig {
  const jiraProjects = c.jira?.projects ?? 2;
  const githubRepos = c.github?.repos ?? 2;
  if (jiraProjects < 1 || githubRepos < 1)
    throw new Error('need at least one Jira project and one GitHub repo');
  return {
    seed: c.seed ?? 42,
    jira: {
      projects: jiraProjects,
      issues: c.jira?.issues ?? 50,
      credentials: c.jira?.credentials ?? [{ email: 'sim@example.com', apiToken: 'sim-token' }],
      timeZone: validTimeZone(c.jira?.timeZone ?? 'UTC'),
      deepIssues: c.jira?.deepIssues ?? 0,
    },
    github: {
      repos: githubRepos,
      prs: c.github?.prs ?? 30,
      owner: c.github?.owner ?? 'tributary-sim',
      tokens: c.github?.tokens ?? ['sim-github-token'],
    },
    limits: {
      jira: c.limits?.jira ?? DEFAULT_LIMITS.jira,
      github: c.limits?.github ?? DEFAULT_LIMITS.github,
      burst: c.limits?.burst ?? DEFAULT_LIMITS.burst,
    },
    faults: c.faults ?? [],
    latencyMs: c.latencyMs ?? 0,
    logger: c.logger ?? false,
    now: c.now ?? Date.now,
  };
}

function validTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw new Error(
      `unknown time zone ${JSON.stringify(zone)} (use an IANA name such as America/Los_Angeles)`,
    );
  }
}
