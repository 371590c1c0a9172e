import { describe, expect, it } from 'vitest';
import { githubDeploymentsTransformer } from './github-deployments.ts';
import { at, context, ghDeployment, transformError } from './fixtures.ts';

const transform = (raw: unknown, metadata: Record<string, unknown> = {}) =>
  githubDeploymentsTransformer.transform(raw, context(metadata));

describe('github_deployments', () => {
  it('maps a deployment', () => {
    expect(transform(ghDeployment())).toEqual([
      {
        table: 'github_deployments',
        externalId: '1',
        columns: {
          repository: 'octocat/example',
          environment: 'production',
          ref: 'topic-branch',
          sha: 'a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d',
          task: 'deploy',
          creator_login: 'octocat',
          created_at: at('2012-07-20T01:19:13Z'),
          updated_at: at('2012-07-20T01:19:13Z'),
        },
      },
    ]);
  });

  it('tolerates a deleted creator; repository from metadata without repository_url', () => {
    const raw = { ...ghDeployment(), creator: null, repository_url: undefined };
    expect(transform(raw, { repository: 'octocat/example' })[0]?.columns).toMatchObject({
      repository: 'octocat/example',
      creator_login: null,
    });
  });

  it('the repository it was fetched for wins over repository_url', () => {
    expect(transform(ghDeployment(), { repository: 'acme/old-name' })[0]?.columns.repository).toBe(
      'acme/old-name',
    );
  });

  it('names the wrong field', () => {
    expect(transformError(() => transform({ ...ghDeployment(), id: null })).path).toBe('id');
    expect(transformError(() => transform({ ...ghDeployment(), updated_at: 1342747153 })).path).toBe(
      'updated_at',
    );
    expect(transformError(() => transform({ ...ghDeployment(), repository_url: undefined })).path).toBe(
      'repository_url',
    );
  });
});
