import { z } from 'zod';
import { pullScope } from './github-reviews.ts';
import { defineTransformer, githubId, githubUser, loginOf, parseRaw, row, timestamp } from './shared.ts';

/** A review comment from `GET /repos/{o}/{r}/pulls/{n}/comments`. */
const reviewCommentSchema = z.looseObject({
  id: githubId,
  pull_request_review_id: githubId.nullish(),
  user: githubUser.nullish(),
  body: z.string().nullish(),
  path: z.string().nullish(),
  created_at: timestamp,
  updated_at: timestamp,
  pull_request_url: z.string().nullish(),
});

export const githubReviewCommentsTransformer = defineTransformer('github_review_comments', (raw, context) => {
  const c = parseRaw(reviewCommentSchema, raw);
  const scope = pullScope(c.pull_request_url, context);
  const reviewId = c.pull_request_review_id;
  return [
    row('github_review_comments', String(c.id), {
      repository: scope.repository,
      pull_number: scope.pullNumber,
      review_id: reviewId === null || reviewId === undefined ? null : String(reviewId),
      author_login: loginOf(c.user),
      body: c.body ?? null,
      path: c.path ?? null,
      created_at: c.created_at,
      updated_at: c.updated_at,
    }),
  ];
});
