import { z } from 'zod';
import { TransformError } from './types.ts';
import type { RawRecordContext } from './types.ts';
import { githubReviewsTransformer } from './github-reviews.ts';
import { actorLogin, graphqlActor, graphqlDatabaseId, iso, restUser } from './graphql-shared.ts';
import {
  defineTransformer,
  metadataPullNumber,
  metadataRepository,
  optionalTimestamp,
  parseRaw,
} from './shared.ts';

/** A GraphQL node has no URL naming its pull request: the scope is the one the collector asked for. */
export function requireGraphqlScope(context: RawRecordContext, needsPull = true): void {
  if (metadataRepository(context) === null || (needsPull && metadataPullNumber(context) === null)) {
    throw new TransformError(
      'extraction_metadata',
      'a GraphQL record needs metadata.repository and metadata.pull_number',
    );
  }
}

/** A `PullRequestReview` node. */
const reviewSchema = z.looseObject({
  fullDatabaseId: graphqlDatabaseId,
  state: z.string().min(1),
  submittedAt: optionalTimestamp,
  author: graphqlActor,
  commit: z.looseObject({ oid: z.string() }).nullish(),
});

/** Checked as GraphQL, restated as REST, mapped by the REST transformer (same rows either way). */
export const githubReviewsGraphqlTransformer = defineTransformer('github_reviews', (raw, context) => {
  const review = parseRaw(reviewSchema, raw);
  requireGraphqlScope(context);
  return githubReviewsTransformer.transform(
    {
      id: Number(review.fullDatabaseId),
      user: restUser(actorLogin(review.author)),
      state: review.state,
      submitted_at: iso(review.submittedAt),
      commit_id: review.commit?.oid ?? null,
    },
    context,
  );
});
