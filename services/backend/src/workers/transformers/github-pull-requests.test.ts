import { describe, expect, it } from 'vitest';
import { githubPullRequestsTransformer } from './github-pull-requests.ts';
import { at, context, ghPullListItem, ghPullOpenDraft, ghPullSingle, transformError } from './fixtures.ts';

const transform = (raw: unknown, metadata: Record<string, unknown> = {}) =>
  githubPullRequestsTransformer.transform(raw, context(metadata));

describe('github_pull_requests', () => {
  it('maps the single-PR shape with merged and diff stats', () => {
    expect(transform(ghPullSingle())).toEqual([
      {
        table: 'github_pull_requests',
        externalId: '1',
        columns: {
          repository: 'octocat/Hello-World',
          number: 1347,
          title: 'Amazing new feature',
          state: 'closed',
          draft: false,
          merged: true,
          merged_at: at('2011-01-26T19:01:12Z'),
          closed_at: at('2011-01-26T19:01:12Z'),
          author_login: 'octocat',
          base_ref: 'master',
          head_ref: 'new-topic',
          additions: 100,
          deletions: 3,
          changed_files: 5,
          merge_commit_sha: 'e5bd3914e2e596debea16f433f57875b5b90bcd6',
          merged_by_login: 'octocat',
          requested_reviewers: ['other_user'],
          labels: ['bug'],
          created_at: at('2011-01-26T19:01:12Z'),
          updated_at: at('2011-01-26T19:01:12Z'),
        },
      },
    ]);
  });

  it('maps the list shape: merged inferred from merged_at, no diff stats', () => {
    const [row] = transform(ghPullListItem());
    expect(row?.columns).toMatchObject({
      merged: true,
      additions: null,
      deletions: null,
      changed_files: null,
    });
    const closedUnmerged = { ...ghPullListItem(), merged_at: null };
    expect(transform(closedUnmerged)[0]?.columns.merged).toBe(false);
  });

  it('prefers an explicit merged over merged_at', () => {
    expect(transform({ ...ghPullSingle(), merged: false })[0]?.columns.merged).toBe(false);
  });

  it('tolerates a deleted author, no body, open draft, no draft field', () => {
    const [row] = transform(ghPullOpenDraft());
    expect(row?.externalId).toBe('2');
    expect(row?.columns).toMatchObject({
      number: 1348,
      state: 'open',
      draft: true,
      merged: false,
      merged_at: null,
      closed_at: null,
      author_login: null,
      updated_at: at('2011-01-27T08:00:00Z'),
    });
    const noDraft = ghPullListItem();
    delete noDraft.draft;
    expect(transform(noDraft)[0]?.columns.draft).toBe(false);
  });

  it('takes the repository from metadata when base.repo is missing', () => {
    const raw = { ...ghPullListItem(), base: { ref: 'main', repo: null } };
    expect(transform(raw, { repository: 'octocat/fallback' })[0]?.columns.repository).toBe(
      'octocat/fallback',
    );
    expect(transformError(() => transform(raw)).path).toBe('base.repo.full_name');
  });

  it('names the wrong field', () => {
    expect(transformError(() => transform({ ...ghPullSingle(), number: '1347' })).path).toBe('number');
    expect(transformError(() => transform({ ...ghPullSingle(), additions: -1 })).path).toBe('additions');
    expect(transformError(() => transform({ ...ghPullSingle(), merged_at: '2011-01-26' })).path).toBe(
      'merged_at',
    );
    const raw = ghPullListItem();
    delete raw.updated_at;
    expect(transformError(() => transform(raw)).path).toBe('updated_at');
    expect(transformError(() => transform({ ...ghPullListItem(), user: { login: 1 } })).path).toBe(
      'user.login',
    );
  });
});
