import { z } from 'zod';
import { Cron } from 'croner';
import { idSchema } from './common.ts';

const nameSchema = z.string().trim().min(1).max(200);

export const baseUrlSchema = z
  .string()
  .max(2048)
  .url()
  // zod runs refinements even after `.url()` failed: a value that is not a URL must not throw here (it was a 500).
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { message: 'must be an http(s) URL' });

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
export const githubCredentialsSchema = z.strictObject({
  token: z.string().min(1).max(4096),
});

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
});

export type JiraCredentials = z.infer<typeof jiraCredentialsSchema>;
export type GithubCredentials = z.infer<typeof githubCredentialsSchema>;
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
