import { describe, expect, it } from 'vitest';
import { githubRepositoriesTransformer } from './github-repositories.ts';
import { at, context, ghRepository, transformError } from './fixtures.ts';

const transform = (raw: unknown) => githubRepositoriesTransformer.transform(raw, context());

describe('github_repositories', () => {
  it('maps GET /repos/{owner}/{repo}', () => {
    expect(transform(ghRepository())).toEqual([
      {
        table: 'github_repositories',
        externalId: '1296269',
        columns: {
          full_name: 'octocat/Hello-World',
          name: 'Hello-World',
          owner: 'octocat',
          default_branch: 'master',
          private: false,
          language: null,
          created_at: at('2011-01-26T19:01:12Z'),
          updated_at: at('2011-01-26T19:14:43Z'),
          pushed_at: at('2011-01-26T19:06:43Z'),
        },
      },
    ]);
  });

  it('tolerates an empty repository (never pushed) with a language', () => {
    const raw = { ...ghRepository(), private: true, language: 'TypeScript', pushed_at: null };
    expect(transform(raw)[0]?.columns).toMatchObject({
      private: true,
      language: 'TypeScript',
      pushed_at: null,
    });
  });

  it('names the wrong field', () => {
    expect(transformError(() => transform({ ...ghRepository(), id: '1296269' })).path).toBe('id');
    expect(transformError(() => transform({ ...ghRepository(), owner: null })).path).toBe('owner');
    expect(transformError(() => transform({ ...ghRepository(), pushed_at: 'Jan 26' })).path).toBe(
      'pushed_at',
    );
  });
});
