import { z } from 'zod';
import { TransformError } from './types.ts';
import type { RawRecordContext } from './types.ts';
import {
  defineTransformer,
  githubId,
  githubUser,
  loginOf,
  metadataPullNumber,
  metadataRepository,
  optionalTimestamp,
  parsePullUrl,
  parseRaw,
  row,
} from './shared.ts';

/** A review from `GET /repos/{o}/{r}/pulls/{n}/reviews`. */
const reviewSchema = z.looseObject({
  id: githubId,
  user: githubUser.nullish(),
  state: z.string().min(1),
  submitted_at: optionalTimestamp,
  commit_id: z.string().nullish(),
  pull_request_url: z.string().nullish(),
});

/**
 * The pull request a review or review comment belongs to: the one it was fetched for (extraction
 * metadata `repository`, `pull_number`), else its `pull_request_url` (records stored without
 * scope). Neither is an error on `pull_request_url`.
 */
export function pullScope(
  pullRequestUrl: string | null | undefined,
  context: RawRecordContext,
): { repository: string; pullNumber: number } {
  const repository = metadataRepository(context);
  const pullNumber = metadataPullNumber(context);
  if (repository !== null && pullNumber !== null) return { repository, pullNumber };
  const fromUrl = parsePullUrl(pullRequestUrl);
  if (fromUrl) return fromUrl;
  const why = pullRequestUrl ? 'not a pull request URL' : 'required';
  throw new TransformError('pull_request_url', `${why}, and metadata has no repository and pull_number`);
}

export const githubReviewsTransformer = defineTransformer('github_reviews', (raw, context) => {
  const review = parseRaw(reviewSchema, raw);
  const scope = pullScope(review.pull_request_url, context);
  return [
    row('github_reviews', String(review.id), {
      repository: scope.repository,
      pull_number: scope.pullNumber,
      state: review.state,
      author_login: loginOf(review.user),
      submitted_at: review.submitted_at,
      commit_id: review.commit_id ?? null,
    }),
  ];
});
