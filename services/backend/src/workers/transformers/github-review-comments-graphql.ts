import { z } from 'zod';
import { actorLogin, graphqlActor, graphqlDatabaseId } from './graphql-shared.ts';
import { graphqlPullScope } from './github-reviews-graphql.ts';
import { defineTransformer, parseRaw, row, timestamp } from './shared.ts';

/** A `PullRequestReviewComment` node. */
const commentSchema = z.looseObject({
  fullDatabaseId: graphqlDatabaseId,
  body: z.string().nullish(),
  path: z.string().nullish(),
  createdAt: timestamp,
  updatedAt: timestamp,
  author: graphqlActor,
  pullRequestReview: z.looseObject({ fullDatabaseId: graphqlDatabaseId.nullish() }).nullish(),
});

export const githubReviewCommentsGraphqlTransformer = defineTransformer('github_review_comments', (raw, context) => {
  const c = parseRaw(commentSchema, raw);
  const scope = graphqlPullScope(context);
  return [
    row('github_review_comments', c.fullDatabaseId, {
      repository: scope.repository,
      pull_number: scope.pullNumber,
      review_id: c.pullRequestReview?.fullDatabaseId ?? null,
      author_login: actorLogin(c.author),
      body: c.body ?? null,
      path: c.path ?? null,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    }),
  ];
});
