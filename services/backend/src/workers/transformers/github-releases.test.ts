import { describe, expect, it } from 'vitest';
import { githubReleasesTransformer } from './github-releases.ts';
import { at, context, ghRelease, transformError } from './fixtures.ts';

const transform = (raw: unknown, metadata: Record<string, unknown> = {}) =>
  githubReleasesTransformer.transform(raw, context(metadata));

describe('github_releases', () => {
  it('maps a release', () => {
    expect(transform(ghRelease())).toEqual([
      {
        table: 'github_releases',
        externalId: '1',
        columns: {
          repository: 'octocat/Hello-World',
          tag_name: 'v1.0.0',
          name: 'v1.0.0',
          target_commitish: 'master',
          draft: false,
          prerelease: false,
          author_login: 'octocat',
          created_at: at('2013-02-27T19:35:32Z'),
          published_at: at('2013-02-27T19:35:32Z'),
        },
      },
    ]);
  });

  it('keeps a draft unpublished; repository from the request without url', () => {
    const raw = { ...ghRelease(), draft: true, published_at: null, name: null, url: undefined };
    expect(transform(raw, { repository: 'octocat/Hello-World' })[0]?.columns).toMatchObject({
      repository: 'octocat/Hello-World',
      draft: true,
      name: null,
      published_at: null,
    });
  });

  it('names the wrong field', () => {
    expect(transformError(() => transform({ ...ghRelease(), tag_name: 7 })).path).toBe('tag_name');
    expect(transformError(() => transform({ ...ghRelease(), published_at: 'soon' })).path).toBe(
      'published_at',
    );
    expect(transformError(() => transform({ ...ghRelease(), url: undefined })).path).toBe('url');
  });
});
