import { z } from 'zod';
import { Cron } from 'croner';
import { idSchema } from './common.ts';

const nameSchema = z.string().trim().min(1).max(200);

export const baseUrlSchema = z
  .string()
  .max(2048)
  .url()
  .refine((value) => /^https?:$/.test(new URL(value).protocol), { message: 'must be an http(s) URL' });

/** A cron expression croner accepts (5 or 6 fields), or null to run on demand only. */
export const scheduleSchema = z
  .string()
  .max(120)
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

export const jiraCredentialsSchema = z.strictObject({
  email: z.string().email().max(320),
  api_token: z.string().min(1).max(4096),
});
const githubTokenSchema = z.string().min(1).max(4096);
export const githubCredentialsSchema = z
  .strictObject({
    token: githubTokenSchema.optional(),
    /** A token pool: requests are spread over the tokens, each with its own quota. */
    tokens: z.array(githubTokenSchema).min(1).max(50).optional(),
  })
  .refine((c) => c.token !== undefined || c.tokens !== undefined, { message: 'token or tokens is required', path: ['token'] });

const projectKeySchema = z.string().regex(/^[A-Z][A-Z0-9_]{0,49}$/, 'must be a Jira project key like ABC');
export const jiraConfigSchema = z.union([
  z.strictObject({ projects: z.array(projectKeySchema).min(1).max(500) }),
  z.strictObject({ jql: z.string().trim().min(1).max(10_000) }),
]);
export const githubConfigSchema = z.strictObject({
  repositories: z
    .array(z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/repo'))
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
  last_test: z
    .object({ ok: z.boolean(), at: z.string(), error: z.string().nullable() })
    .nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type IntegrationView = z.infer<typeof integrationViewSchema>;
