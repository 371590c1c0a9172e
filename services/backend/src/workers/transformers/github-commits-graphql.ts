import { z } from 'zod';
import { defineTransformer, metadataPullNumber, optionalTimestamp, parseRaw, requireRepository, row } from './shared.ts';

/** A `GitActor`: the git identity, and the GitHub account it maps to (null when unlinked). */
const gitActor = z
  .looseObject({
    name: z.string().nullish(),
    email: z.string().nullish(),
    date: optionalTimestamp,
    user: z.looseObject({ login: z.string().nullish() }).nullish(),
  })
  .nullish();

/** A `Commit` node (the `commit` of a `PullRequestCommit`). */
const commitSchema = z.looseObject({
  oid: z.string().regex(/^[0-9a-f]{7,64}$/i, 'expected a commit sha'),
  message: z.string().nullish(),
  authoredDate: optionalTimestamp,
  committedDate: optionalTimestamp,
  author: gitActor,
  committer: gitActor,
});

export const githubCommitsGraphqlTransformer = defineTransformer('github_commits', (raw, context) => {
  const c = parseRaw(commitSchema, raw);
  const repository = requireRepository('extraction_metadata.repository', null, context);
  const pullNumber = metadataPullNumber(context);
  const association =
    pullNumber === null
      ? []
      : [row('github_pull_request_commits', `${repository}#${pullNumber}@${c.oid}`, { repository, pull_number: pullNumber, sha: c.oid })];
  return [
    row('github_commits', c.oid, {
      repository,
      pull_number: pullNumber,
      sha: c.oid,
      message: c.message ?? null,
      author_name: c.author?.name ?? null,
      author_email: c.author?.email ?? null,
      author_login: c.author?.user?.login ?? null,
      authored_at: c.authoredDate ?? c.author?.date ?? null,
      committer_name: c.committer?.name ?? null,
      committer_email: c.committer?.email ?? null,
      committer_login: c.committer?.user?.login ?? null,
      committed_at: c.committedDate ?? c.committer?.date ?? null,
    }),
    ...association,
  ];
});
