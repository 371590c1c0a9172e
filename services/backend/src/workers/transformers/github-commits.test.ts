import { describe, expect, it } from 'vitest';
import { githubCommitsTransformer } from './github-commits.ts';
import { at, context, ghCommit, transformError } from './fixtures.ts';

const SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const transform = (raw: unknown, metadata: Record<string, unknown> = {}) =>
  githubCommitsTransformer.transform(raw, context(metadata));

function commitOf(raw: Record<string, unknown>): Record<string, unknown> {
  return raw.commit as Record<string, unknown>;
}

describe('github_commits', () => {
  it('maps a pull request commit, pull number from metadata', () => {
    expect(transform(ghCommit(), { repository: 'octocat/Hello-World', pull_number: 1347 })).toEqual([
      {
        table: 'github_commits',
        externalId: SHA,
        columns: {
          repository: 'octocat/Hello-World',
          sha: SHA,
          message: 'Fix all the bugs',
          author_name: 'Monalisa Octocat',
          author_email: 'support@github.com',
          author_login: 'octocat',
          authored_at: at('2011-04-14T16:00:49Z'),
          committer_name: 'GitHub',
          committer_email: 'noreply@github.com',
          committer_login: 'web-flow',
          // a rebase or squash re-commits: the committer date is not the author date
          committed_at: at('2011-04-15T09:12:00Z'),
        },
      },
      {
        table: 'github_pull_request_commits',
        externalId: `octocat/Hello-World#1347@${SHA}`,
        columns: { repository: 'octocat/Hello-World', pull_number: 1347, sha: SHA },
      },
    ]);
  });

  it('without a pull number in the metadata no association is written; repository comes from url', () => {
    const rows = transform(ghCommit());
    expect(rows.map((r) => r.table)).toEqual(['github_commits']);
    expect(rows[0]?.columns).toMatchObject({ repository: 'octocat/Hello-World' });
    expect(rows[0]?.columns).not.toHaveProperty('pull_number');
  });

  it('the repository it was fetched for wins over the payload URL (renamed repository)', () => {
    const rows = transform(ghCommit(), { repository: 'octocat/old-name', pull_number: 7 });
    expect(rows.map((r) => r.columns.repository)).toEqual(['octocat/old-name', 'octocat/old-name']);
    expect(rows[1]?.externalId).toBe(`octocat/old-name#7@${SHA}`);
  });

  it('tolerates an author with no GitHub account and a null git author (no author date; committer date kept)', () => {
    const raw = { ...ghCommit(), author: null };
    commitOf(raw).author = null;
    expect(transform(raw)[0]?.columns).toMatchObject({
      author_login: null,
      author_name: null,
      author_email: null,
      authored_at: null,
      committed_at: at('2011-04-15T09:12:00Z'),
    });
    expect(transform({ ...ghCommit(), author: {} })[0]?.columns.author_login).toBeNull();
  });

  it('falls back to metadata.repository without a url', () => {
    const raw = ghCommit();
    delete raw.url;
    expect(transform(raw, { repository: 'acme/api' })[0]?.columns.repository).toBe('acme/api');
    expect(transformError(() => transform(raw)).path).toBe('url');
  });

  it('names the wrong field', () => {
    expect(transformError(() => transform({ ...ghCommit(), sha: 42 })).path).toBe('sha');
    const raw = ghCommit();
    commitOf(raw).author = { name: 'x', email: 'x@example.com', date: 'yesterday' };
    expect(transformError(() => transform(raw)).path).toBe('commit.author.date');
    expect(transformError(() => transform({ ...ghCommit(), commit: undefined })).path).toBe('commit');
  });
});
