import { z } from 'zod';
import {
  defineTransformer,
  githubId,
  githubUser,
  loginOf,
  optionalTimestamp,
  parseRaw,
  requireRepository,
  row,
  timestamp,
} from './shared.ts';

const branchSchema = z.looseObject({
  ref: z.string().nullish(),
  // null when the fork it came from was deleted
  repo: z.looseObject({ full_name: z.string().nullish() }).nullish(),
});

const count = z.number().int().nonnegative().nullish();

/**
 * A pull request from `GET /repos/{o}/{r}/pulls/{n}` (has `merged`, `additions`, `deletions`,
 * `changed_files`) or from the list endpoint (has none of them).
 */
const pullSchema = z.looseObject({
  id: githubId,
  number: z.number().int().positive(),
  title: z.string(),
  state: z.string().min(1),
  draft: z.boolean().nullish(),
  user: githubUser.nullish(),
  merged: z.boolean().nullish(),
  merged_at: optionalTimestamp,
  closed_at: optionalTimestamp,
  created_at: timestamp,
  updated_at: timestamp,
  base: branchSchema.nullish(),
  head: branchSchema.nullish(),
  additions: count,
  deletions: count,
  changed_files: count,
  merge_commit_sha: z.string().nullish(),
  merged_by: githubUser.nullish(),
  requested_reviewers: z.array(githubUser.nullable()).nullish(),
  labels: z.array(z.looseObject({ name: z.string() })).nullish(),
});

export const githubPullRequestsTransformer = defineTransformer('github_pull_requests', (raw, context) => {
  const pr = parseRaw(pullSchema, raw);
  const repository = requireRepository('base.repo.full_name', pr.base?.repo?.full_name ?? null, context);
  return [
    row('github_pull_requests', String(pr.id), {
      repository,
      number: pr.number,
      title: pr.title,
      state: pr.state,
      draft: pr.draft ?? false,
      // The list shape has no `merged`; a merge time is the same fact.
      merged: pr.merged ?? pr.merged_at !== null,
      merged_at: pr.merged_at,
      closed_at: pr.closed_at,
      author_login: loginOf(pr.user),
      base_ref: pr.base?.ref ?? null,
      head_ref: pr.head?.ref ?? null,
      additions: pr.additions ?? null,
      deletions: pr.deletions ?? null,
      changed_files: pr.changed_files ?? null,
      merge_commit_sha: pr.merge_commit_sha ?? null,
      merged_by_login: loginOf(pr.merged_by),
      requested_reviewers: (pr.requested_reviewers ?? []).flatMap((user) => loginOf(user) ?? []),
      labels: (pr.labels ?? []).map((label) => label.name),
      created_at: pr.created_at,
      updated_at: pr.updated_at,
    }),
  ];
});
