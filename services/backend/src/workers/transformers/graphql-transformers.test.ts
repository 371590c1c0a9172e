import { describe, expect, it } from 'vitest';
import { transformerFor } from './index.ts';
import { context, ghPullSingle, transformError } from './fixtures.ts';

// GraphQL nodes as GitHub's v4 API answers them for the collector's queries (field names from
// GitHub's published schema; `fullDatabaseId` is a BigInt sent as a string).
const scope = {
  api: 'graphql',
  query: 'TributaryPullRequests',
  repository: 'octocat/Hello-World',
  pull_number: 1347,
};

function pullNode(): Record<string, unknown> {
  return {
    id: 'PR_kwDOABCD',
    fullDatabaseId: '1296269',
    number: 1347,
    title: 'Amazing new feature',
    state: 'MERGED',
    isDraft: false,
    merged: true,
    mergedAt: '2011-01-26T19:01:12Z',
    closedAt: '2011-01-26T19:01:12Z',
    createdAt: '2011-01-26T19:01:12Z',
    updatedAt: '2011-01-26T19:14:43Z',
    author: { login: 'octocat' },
    baseRefName: 'master',
    headRefName: 'new-topic',
    baseRepository: { nameWithOwner: 'octocat/Hello-World' },
    additions: 100,
    deletions: 3,
    changedFiles: 5,
    mergeCommit: { oid: 'e5bd3914e2e596debea16f433f57875b5b90bcd6' },
    mergedBy: { login: 'hubot' },
    labels: { totalCount: 1, nodes: [{ name: 'bug' }] },
    reviewRequests: {
      totalCount: 2,
      nodes: [
        { requestedReviewer: { __typename: 'User', login: 'other_user' } },
        { requestedReviewer: { __typename: 'Team' } },
      ],
    },
  };
}

describe('GraphQL shapes of the GitHub entity types', () => {
  it('a PullRequest node gives the same columns the REST pull request does', () => {
    const [graphql] = transformerFor('github_pull_requests').transform(pullNode(), context(scope));
    expect(graphql).toMatchObject({
      table: 'github_pull_requests',
      externalId: '1296269',
      columns: {
        repository: 'octocat/Hello-World',
        number: 1347,
        state: 'closed',
        merged: true,
        author_login: 'octocat',
        base_ref: 'master',
        head_ref: 'new-topic',
        merge_commit_sha: 'e5bd3914e2e596debea16f433f57875b5b90bcd6',
        merged_by_login: 'hubot',
        requested_reviewers: ['other_user'],
        labels: ['bug'],
        changed_files: 5,
      },
    });
    // A REST record (no api in its metadata) still goes to the REST transformer.
    const [rest] = transformerFor('github_pull_requests').transform(ghPullSingle(), context());
    expect(rest?.columns.number).toBe(1347);
  });

  it('names the field a GraphQL node lacks', () => {
    const { fullDatabaseId: _id, ...node } = pullNode();
    expect(
      transformError(() => transformerFor('github_pull_requests').transform(node, context(scope))).path,
    ).toBe('fullDatabaseId');
  });

  it('reviews, review comments and commits take their pull request from the metadata, and refuse a record without it', () => {
    const review = {
      id: 'PRR_x',
      fullDatabaseId: '80',
      state: 'APPROVED',
      submittedAt: '2019-11-17T17:43:43Z',
      author: { login: 'octocat' },
      commit: { oid: 'ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091' },
    };
    expect(transformerFor('github_reviews').transform(review, context(scope))[0]?.columns).toEqual({
      repository: 'octocat/Hello-World',
      pull_number: 1347,
      state: 'APPROVED',
      author_login: 'octocat',
      submitted_at: new Date('2019-11-17T17:43:43Z'),
      commit_id: 'ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091',
    });
    expect(
      transformError(() => transformerFor('github_reviews').transform(review, context({ api: 'graphql' })))
        .path,
    ).toBe('extraction_metadata');

    const comment = {
      fullDatabaseId: '10',
      body: 'Great stuff!',
      path: 'file1.txt',
      createdAt: '2011-04-14T16:00:49Z',
      updatedAt: '2011-04-14T16:00:49Z',
      author: { login: 'octocat' },
      pullRequestReview: { fullDatabaseId: '42' },
    };
    expect(
      transformerFor('github_review_comments').transform(comment, context(scope))[0]?.columns,
    ).toMatchObject({ review_id: '42', pull_number: 1347, path: 'file1.txt' });

    const commit = {
      oid: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      message: 'Fix all the bugs',
      authoredDate: '2011-04-14T16:00:49Z',
      committedDate: '2011-04-15T16:00:49Z',
      author: {
        name: 'Monalisa Octocat',
        email: 'support@github.com',
        date: '2011-04-14T16:00:49Z',
        user: { login: 'octocat' },
      },
      committer: { name: 'GitHub', email: 'noreply@github.com', date: '2011-04-15T16:00:49Z', user: null },
    };
    const rows = transformerFor('github_commits').transform(commit, context(scope));
    expect(rows.map((r) => r.table)).toEqual(['github_commits', 'github_pull_request_commits']);
    expect(rows[0]?.columns).toMatchObject({
      author_login: 'octocat',
      committer_login: null,
      authored_at: new Date('2011-04-14T16:00:49Z'),
      committed_at: new Date('2011-04-15T16:00:49Z'),
    });
  });
});
