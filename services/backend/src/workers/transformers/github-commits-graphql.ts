import { z } from 'zod';
import { githubCommitsTransformer } from './github-commits.ts';
import { requireGraphqlScope } from './github-reviews-graphql.ts';
import { iso, restUser } from './graphql-shared.ts';
import { defineTransformer, optionalTimestamp, parseRaw } from './shared.ts';

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

/** Checked as GraphQL, restated as REST, mapped by the REST transformer (same rows and PR association either way). */
export const githubCommitsGraphqlTransformer = defineTransformer('github_commits', (raw, context) => {
  const c = parseRaw(commitSchema, raw);
  requireGraphqlScope(context, false);
  const person = (actor: z.output<typeof gitActor>, date: Date | null) =>
    actor ? { name: actor.name ?? null, email: actor.email ?? null, date: iso(date ?? actor.date) } : null;
  return githubCommitsTransformer.transform(
    {
      sha: c.oid,
      commit: {
        message: c.message ?? null,
        author: person(c.author, c.authoredDate),
        committer: person(c.committer, c.committedDate),
      },
      author: restUser(c.author?.user?.login ?? null),
      committer: restUser(c.committer?.user?.login ?? null),
    },
    context,
  );
});
