import { z } from 'zod';
import { Cron } from 'croner';
import { idSchema } from './common.ts';

/** Postgres text and jsonb cannot hold NUL: refused on input (400 naming the field), not at the insert (500). */
export const noNul = (schema: z.ZodString) =>
  schema.refine((value) => !value.includes('\u0000'), { message: 'must not contain NUL characters' });

const nameSchema = noNul(z.string().trim().min(1).max(200));

export const baseUrlSchema = z
  .url()
  .max(2048)
  // zod runs refinements even after the URL check failed: a value that is not a URL must not throw here (it was a 500).
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: 'must be an http(s) URL',
  });

/**
 * A 5-field cron expression (minute hour day month weekday), or null to run on demand only. A
 * seconds field is refused: the shortest schedule is a minute, and the backend's
 * `SCHEDULE_MIN_INTERVAL_MINUTES` limits it further.
 */
export const scheduleSchema = z
  .string()
  .max(120)
  .refine((value) => value.trim().split(/\s+/).length === 5, {
    message: 'must be a 5-field cron expression (minute hour day month weekday)',
  })
  .refine(
    (value) => {
      try {
        new Cron(value, { paused: true }).stop();
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be a valid cron expression' },
  )
  .nullable();

/**
 * The shortest gap in minutes between two runs of a 5-field schedule, judged by its minute field
 * (hours, days and weekdays can only spread runs further apart). Wrapping into the next hour is
 * counted as if that hour were included, which is the worst case.
 */
export function shortestScheduleGapMinutes(schedule: string): number {
  const minuteField = schedule.trim().split(/\s+/)[0] ?? '*';
  const cron = new Cron(`${minuteField} * * * *`, { paused: true, timezone: 'UTC' });
  const start = new Date('2000-01-01T00:00:00Z');
  const minutes = cron
    .nextRuns(60, new Date(start.getTime() - 1))
    .filter((d) => d.getTime() < start.getTime() + 3_600_000)
    .map((d) => d.getUTCMinutes());
  if (minutes.length <= 1) return 60;
  let gap = 60 - minutes[minutes.length - 1]! + minutes[0]!;
  for (let i = 1; i < minutes.length; i++) gap = Math.min(gap, minutes[i]! - minutes[i - 1]!);
  return gap;
}

/**
 * Secrets travel in an HTTP header: only visible ASCII is valid there. Refusing anything else on
 * input (a 400 naming the field) keeps a CR/LF or NUL from turning into an HTTP client or database
 * error whose text quotes the secret.
 */
const headerSafe = (what: string) =>
  z
    .string()
    .min(1)
    .max(4096)
    .regex(
      /^[\x21-\x7e]+$/,
      `${what} may contain only visible ASCII characters (no spaces, control characters or line breaks)`,
    );

export const jiraCredentialsSchema = z.strictObject({
  email: z
    .email()
    .max(320)
    .regex(/^[\x21-\x7e]+$/, 'email may contain only visible ASCII characters'),
  api_token: headerSafe('api_token'),
});
export const githubCredentialsSchema = z
  .strictObject({
    token: headerSafe('token').optional(),
    /** A token pool: requests are spread over the tokens, each with its own quota (each one header-safe like `token`). */
    tokens: z.array(headerSafe('tokens')).min(1).max(50).optional(),
  })
  .refine((c) => c.token !== undefined || c.tokens !== undefined, {
    message: 'token or tokens is required',
    path: ['token'],
  });

const projectKeySchema = z.string().regex(/^[A-Z][A-Z0-9_]{0,49}$/, 'must be a Jira project key like ABC');
/** Overrides story-points discovery by field name ("Story Points", "Story point estimate"). */
const storyPointsFieldSchema = z
  .string()
  .regex(/^customfield_\d{1,10}$/, 'must be a custom field id like customfield_10016')
  .optional();
export const jiraConfigSchema = z.union([
  z.strictObject({
    projects: z.array(projectKeySchema).min(1).max(500),
    story_points_field: storyPointsFieldSchema,
  }),
  z.strictObject({
    jql: noNul(z.string().trim().min(1).max(10_000)),
    story_points_field: storyPointsFieldSchema,
  }),
]);
/**
 * GitHub's own rules: an owner is 1–39 letters, digits or single inner hyphens; a repository name
 * is 1–100 letters, digits, `.`, `_`, `-` but never `.` or `..` (which would walk out of `/repos/`).
 */
export const GITHUB_REPOSITORY_PATTERN =
  /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

export const githubConfigSchema = z.strictObject({
  repositories: z
    .array(
      z.string().regex(GITHUB_REPOSITORY_PATTERN, 'must be owner/repo with the characters GitHub allows'),
    )
    .min(1)
    .max(500),
  /** Which GitHub API reads pull requests: GraphQL (default; github.com and GHES) or REST (fallback). */
  api: z.enum(['graphql', 'rest']).optional(),
});

export type JiraCredentials = z.infer<typeof jiraCredentialsSchema>;
export type GithubCredentials = z.infer<typeof githubCredentialsSchema>;

/** The tokens of a GitHub integration, each named by where it sits (`token`, `tokens[1]`): names are what logs and errors show, never values. */
export function githubTokens(credentials: GithubCredentials): { name: string; token: string }[] {
  const out: { name: string; token: string }[] = [];
  if (credentials.token !== undefined) out.push({ name: 'token', token: credentials.token });
  (credentials.tokens ?? []).forEach((token, i) => {
    if (!out.some((t) => t.token === token)) out.push({ name: `tokens[${i}]`, token });
  });
  return out;
}
export type JiraConfig = z.infer<typeof jiraConfigSchema>;
export type GithubConfig = z.infer<typeof githubConfigSchema>;
export type IntegrationCredentials = JiraCredentials | GithubCredentials;
export type IntegrationConfig = JiraConfig | GithubConfig;

const commonFields = {
  name: nameSchema,
  base_url: baseUrlSchema,
  schedule: scheduleSchema.optional(),
  enabled: z.boolean().optional(),
};

export const createIntegrationBodySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('jira'),
    ...commonFields,
    credentials: jiraCredentialsSchema,
    config: jiraConfigSchema,
  }),
  z.strictObject({
    type: z.literal('github'),
    ...commonFields,
    credentials: githubCredentialsSchema,
    config: githubConfigSchema,
  }),
]);
export type CreateIntegrationBody = z.infer<typeof createIntegrationBodySchema>;

/** Credentials and config are checked against the stored integration's type by the route. */
export const patchIntegrationBodySchema = z
  .strictObject({
    name: nameSchema,
    base_url: baseUrlSchema,
    schedule: scheduleSchema,
    enabled: z.boolean(),
    credentials: z.record(z.string(), z.unknown()),
    config: z.record(z.string(), z.unknown()),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });
export type PatchIntegrationBody = z.infer<typeof patchIntegrationBodySchema>;

export const credentialsSchemaFor = { jira: jiraCredentialsSchema, github: githubCredentialsSchema } as const;
export const configSchemaFor = { jira: jiraConfigSchema, github: githubConfigSchema } as const;

/** What the API returns: never the credentials, only whether they are set. */
export const integrationViewSchema = z.object({
  id: idSchema,
  type: z.enum(['jira', 'github']),
  name: z.string(),
  base_url: z.string(),
  config: z.record(z.string(), z.unknown()),
  schedule: z.string().nullable(),
  enabled: z.boolean(),
  has_credentials: z.boolean(),
  last_test: z.object({ ok: z.boolean(), at: z.string(), error: z.string().nullable() }).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type IntegrationView = z.infer<typeof integrationViewSchema>;
