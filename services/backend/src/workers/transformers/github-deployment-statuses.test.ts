import { describe, expect, it } from 'vitest';
import { githubDeploymentStatusesTransformer } from './github-deployment-statuses.ts';
import { at, context, ghDeploymentStatus, transformError } from './fixtures.ts';

const transform = (raw: unknown, metadata: Record<string, unknown> = {}) =>
  githubDeploymentStatusesTransformer.transform(raw, context(metadata));

describe('github_deployment_statuses', () => {
  it('maps a status onto its deployment', () => {
    expect(transform(ghDeploymentStatus())).toEqual([
      {
        table: 'github_deployment_statuses',
        externalId: '1',
        columns: {
          repository: 'octocat/example',
          deployment_external_id: '42',
          state: 'success',
          environment: 'production',
          description: 'Deployment finished successfully.',
          creator_login: 'octocat',
          created_at: at('2012-07-20T01:19:13Z'),
          updated_at: at('2012-07-20T01:19:13Z'),
        },
      },
    ]);
  });

  it('takes the deployment and repository from the request when the URLs are missing', () => {
    const raw = {
      ...ghDeploymentStatus(),
      deployment_url: undefined,
      repository_url: undefined,
      creator: null,
    };
    expect(transform(raw, { repository: 'octocat/example', deployment_id: 42 })[0]?.columns).toMatchObject({
      repository: 'octocat/example',
      deployment_external_id: '42',
      creator_login: null,
    });
  });

  it('names the wrong field', () => {
    expect(transformError(() => transform({ ...ghDeploymentStatus(), state: '' })).path).toBe('state');
    expect(transformError(() => transform({ ...ghDeploymentStatus(), created_at: 'yesterday' })).path).toBe(
      'created_at',
    );
    expect(
      transformError(() =>
        transform({ ...ghDeploymentStatus(), deployment_url: undefined }, { repository: 'a/b' }),
      ).path,
    ).toBe('deployment_url');
  });
});
