import { z } from 'zod';
import { TransformError } from './types.ts';
import type { RawRecordContext } from './types.ts';
import { actorLogin, graphqlActor, graphqlDatabaseId } from './graphql-shared.ts';
import { defineTransformer, metadataPullNumber, metadataRepository, optionalTimestamp, parseRaw, row } from './shared.ts';

/** A GraphQL node has no URL naming its pull request: the scope is the one the collector asked for. */
export function graphqlPullScope(context: RawRecordContext): { repository: string; pullNumber: number } {
  const repository = metadataRepository(context);
  const pullNumber = metadataPullNumber(context);
  if (repository === null || pullNumber === null) {
    throw new TransformError('extraction_metadata', 'a GraphQL record needs metadata.repository and metadata.pull_number');
  }
  return { repository, pullNumber };
}

/** A `PullRequestReview` node. */
const reviewSchema = z.looseObject({
  fullDatabaseId: graphqlDatabaseId,
  state: z.string().min(1),
  submittedAt: optionalTimestamp,
  author: graphqlActor,
  commit: z.looseObject({ oid: z.string() }).nullish(),
});

export const githubReviewsGraphqlTransformer = defineTransformer('github_reviews', (raw, context) => {
  const review = parseRaw(reviewSchema, raw);
  const scope = graphqlPullScope(context);
  return [
    row('github_reviews', review.fullDatabaseId, {
      repository: scope.repository,
      pull_number: scope.pullNumber,
      state: review.state,
      author_login: actorLogin(review.author),
      submitted_at: review.submittedAt,
      commit_id: review.commit?.oid ?? null,
    }),
  ];
});
