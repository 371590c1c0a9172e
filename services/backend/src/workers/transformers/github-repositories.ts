import { z } from 'zod';
import { defineTransformer, githubId, optionalTimestamp, parseRaw, row } from './shared.ts';

/** `GET /repos/{owner}/{repo}`. */
const repositorySchema = z.looseObject({
  id: githubId,
  name: z.string().min(1),
  full_name: z.string().min(1),
  owner: z.looseObject({ login: z.string().min(1) }),
  private: z.boolean().nullish(),
  default_branch: z.string().nullish(),
  language: z.string().nullish(),
  created_at: optionalTimestamp,
  updated_at: optionalTimestamp,
  pushed_at: optionalTimestamp,
});

export const githubRepositoriesTransformer = defineTransformer('github_repositories', (raw) => {
  const r = parseRaw(repositorySchema, raw);
  return [
    row('github_repositories', String(r.id), {
      full_name: r.full_name,
      name: r.name,
      owner: r.owner.login,
      default_branch: r.default_branch ?? null,
      private: r.private ?? false,
      language: r.language ?? null,
      created_at: r.created_at,
      updated_at: r.updated_at,
      pushed_at: r.pushed_at,
    }),
  ];
});
