import { z } from 'zod';
import {
  defineTransformer,
  githubUser,
  loginOf,
  metadataPullNumber,
  optionalTimestamp,
  parseRaw,
  parseRepoUrl,
  requireRepository,
  row,
} from './shared.ts';

/** The git identity inside `commit` (`name`, `email`, `date`); may be null. */
const gitActor = z
  .looseObject({
    name: z.string().nullish(),
    email: z.string().nullish(),
    date: optionalTimestamp,
  })
  .nullish();

/** A commit from `GET /repos/{o}/{r}/pulls/{n}/commits`. */
const commitSchema = z.looseObject({
  sha: z.string().regex(/^[0-9a-f]{7,64}$/i, 'expected a commit sha'),
  commit: z.looseObject({
    message: z.string().nullish(),
    author: gitActor,
    committer: gitActor,
  }),
  author: githubUser.nullish(),
  committer: githubUser.nullish(),
  url: z.string().nullish(),
});

export const githubCommitsTransformer = defineTransformer('github_commits', (raw, context) => {
  const c = parseRaw(commitSchema, raw);
  const repository = requireRepository('url', parseRepoUrl(c.url), context);
  // Which PRs list the commit lives in github_pull_request_commits, one row per listing.
  const gitAuthor = c.commit.author;
  const gitCommitter = c.commit.committer;
  const pullNumber = metadataPullNumber(context);
  // A commit listed by several pull requests (stacked branches, cherry-picks) belongs to each.
  const association =
    pullNumber === null
      ? []
      : [
          row('github_pull_request_commits', `${repository}#${pullNumber}@${c.sha}`, {
            repository,
            pull_number: pullNumber,
            sha: c.sha,
          }),
        ];
  return [
    row('github_commits', c.sha, {
      repository,
      sha: c.sha,
      message: c.commit.message ?? null,
      author_name: gitAuthor?.name ?? null,
      author_email: gitAuthor?.email ?? null,
      author_login: loginOf(c.author),
      authored_at: gitAuthor?.date ?? null,
      committer_name: gitCommitter?.name ?? null,
      committer_email: gitCommitter?.email ?? null,
      committer_login: loginOf(c.committer),
      committed_at: gitCommitter?.date ?? null,
    }),
    ...association,
  ];
});
