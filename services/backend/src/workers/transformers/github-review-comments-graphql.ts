import { z } from 'zod';
import { githubReviewCommentsTransformer } from './github-review-comments.ts';
import { requireGraphqlScope } from './github-reviews-graphql.ts';
import { actorLogin, graphqlActor, graphqlDatabaseId, iso, restUser } from './graphql-shared.ts';
import { defineTransformer, parseRaw, timestamp } from './shared.ts';

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

/** Checked as GraphQL, restated as REST, mapped by the REST transformer (same rows either way). */
export const githubReviewCommentsGraphqlTransformer = defineTransformer(
  'github_review_comments',
  (raw, context) => {
    const c = parseRaw(commentSchema, raw);
    requireGraphqlScope(context);
    const reviewId = c.pullRequestReview?.fullDatabaseId;
    return githubReviewCommentsTransformer.transform(
      {
        id: Number(c.fullDatabaseId),
        pull_request_review_id: reviewId === null || reviewId === undefined ? null : Number(reviewId),
        user: restUser(actorLogin(c.author)),
        body: c.body ?? null,
        path: c.path ?? null,
        created_at: iso(c.createdAt),
        updated_at: iso(c.updatedAt),
      },
      context,
    );
  },
);
