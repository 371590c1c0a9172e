import { describe, expect, it } from 'vitest';
import { githubReviewsTransformer } from './github-reviews.ts';
import { at, context, ghReview, transformError } from './fixtures.ts';

const transform = (raw: unknown, metadata: Record<string, unknown> = {}) =>
  githubReviewsTransformer.transform(raw, context(metadata));

describe('github_reviews', () => {
  it('maps a review, scope from pull_request_url when the record has no fetch scope', () => {
    expect(transform(ghReview())).toEqual([
      {
        table: 'github_reviews',
        externalId: '80',
        columns: {
          repository: 'octocat/Hello-World',
          pull_number: 12,
          state: 'APPROVED',
          author_login: 'octocat',
          submitted_at: at('2019-11-17T17:43:43Z'),
          commit_id: 'ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091',
        },
      },
    ]);
  });

  it('reads GitHub Enterprise URLs too', () => {
    const raw = {
      ...ghReview(),
      pull_request_url: 'https://ghe.example.com/api/v3/repos/acme/web-app/pulls/7',
    };
    expect(transform(raw)[0]?.columns).toMatchObject({ repository: 'acme/web-app', pull_number: 7 });
  });

  it('tolerates a deleted reviewer and a pending review without submitted_at', () => {
    const raw = { ...ghReview(), user: null, state: 'PENDING' };
    delete (raw as Record<string, unknown>).submitted_at;
    expect(transform(raw)[0]?.columns).toMatchObject({
      author_login: null,
      state: 'PENDING',
      submitted_at: null,
    });
  });

  it('falls back to metadata repository and pull_number', () => {
    const raw = ghReview();
    delete raw.pull_request_url;
    expect(transform(raw, { repository: 'octocat/Hello-World', pull_number: 12 })[0]?.columns).toMatchObject({
      repository: 'octocat/Hello-World',
      pull_number: 12,
    });
    expect(
      transform(raw, { repository: 'octocat/Hello-World', pull_number: '12' })[0]?.columns.pull_number,
    ).toBe(12);
  });

  it('the pull request it was fetched for wins over pull_request_url (renamed or transferred repository)', () => {
    expect(transform(ghReview(), { repository: 'acme/old-name', pull_number: 7 })[0]?.columns).toMatchObject({
      repository: 'acme/old-name',
      pull_number: 7,
    });
  });

  it('names the wrong field', () => {
    const noUrl = ghReview();
    delete noUrl.pull_request_url;
    expect(transformError(() => transform(noUrl, { repository: 'octocat/Hello-World' })).path).toBe(
      'pull_request_url',
    );
    expect(
      transformError(() => transform({ ...ghReview(), pull_request_url: 'https://example.com/x' })).path,
    ).toBe('pull_request_url');
    expect(transformError(() => transform({ ...ghReview(), submitted_at: 'now' })).path).toBe('submitted_at');
    expect(transformError(() => transform({ ...ghReview(), state: undefined })).path).toBe('state');
  });
});
