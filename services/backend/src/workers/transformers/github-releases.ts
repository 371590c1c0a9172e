import { z } from 'zod';
import { githubId, githubUser, loginOf, optionalTimestamp, timestamp } from './shared.ts';
import { defineRepositoryRecord } from './repository-record.ts';

/** A release from `GET /repos/{o}/{r}/releases`. Drafts have `published_at: null`. */
const releaseSchema = z.looseObject({
  id: githubId,
  tag_name: z.string().min(1),
  name: z.string().nullish(),
  target_commitish: z.string().nullish(),
  draft: z.boolean().nullish(),
  prerelease: z.boolean().nullish(),
  author: githubUser.nullish(),
  created_at: timestamp,
  published_at: optionalTimestamp,
  url: z.string().nullish(),
});

export const githubReleasesTransformer = defineRepositoryRecord({
  entityType: 'github_releases',
  schema: releaseSchema,
  urlField: 'url',
  urlOf: (r) => r.url,
  columns: (r) => ({
    tag_name: r.tag_name,
    name: r.name ?? null,
    target_commitish: r.target_commitish ?? null,
    draft: r.draft ?? false,
    prerelease: r.prerelease ?? false,
    author_login: loginOf(r.author),
    created_at: r.created_at,
    published_at: r.published_at,
  }),
});
