import { describe, expect, it } from 'vitest';
import { githubReviewCommentsTransformer } from './github-review-comments.ts';
import { at, context, ghReviewComment, transformError } from './fixtures.ts';

const transform = (raw: unknown, metadata: Record<string, unknown> = {}) =>
  githubReviewCommentsTransformer.transform(raw, context(metadata));

describe('github_review_comments', () => {
  it('maps a review comment', () => {
    expect(transform(ghReviewComment())).toEqual([
      {
        table: 'github_review_comments',
        externalId: '10',
        columns: {
          repository: 'octocat/Hello-World',
          pull_number: 1,
          review_id: '42',
          author_login: 'octocat',
          body: 'Great stuff!',
          path: 'file1.txt',
          created_at: at('2011-04-14T16:00:49Z'),
          updated_at: at('2011-04-14T16:00:49Z'),
        },
      },
    ]);
  });

  it('tolerates no review, a deleted author and a null body', () => {
    const raw = { ...ghReviewComment(), pull_request_review_id: null, user: null, body: null };
    expect(transform(raw)[0]?.columns).toMatchObject({ review_id: null, author_login: null, body: null });
  });

  it('falls back to metadata for the pull request', () => {
    const raw = { ...ghReviewComment(), pull_request_url: null };
    expect(transform(raw, { repository: 'acme/api', pull_number: 3 })[0]?.columns).toMatchObject({
      repository: 'acme/api',
      pull_number: 3,
    });
  });

  it('the pull request it was fetched for wins over pull_request_url', () => {
    expect(
      transform(ghReviewComment(), { repository: 'acme/old-name', pull_number: 9 })[0]?.columns,
    ).toMatchObject({
      repository: 'acme/old-name',
      pull_number: 9,
    });
  });

  it('names the wrong field', () => {
    const raw = ghReviewComment();
    delete raw.created_at;
    expect(transformError(() => transform(raw)).path).toBe('created_at');
    expect(transformError(() => transform({ ...ghReviewComment(), pull_request_review_id: '42' })).path).toBe(
      'pull_request_review_id',
    );
    expect(transformError(() => transform({ ...ghReviewComment(), body: 5 })).path).toBe('body');
  });
});
