import { githubTime } from '../data/time.ts';
import type { DeploymentRec, GithubStore, RepoRec } from './model.ts';
import type { DeploymentStatusRec } from './deliveries.ts';
import { userAt } from './serialize.ts';

/** One element of `GET /repos/{o}/{r}/deployments/{id}/statuses`, as GitHub documents it. */
export function deploymentStatusJson(
  api: string,
  store: GithubStore,
  repo: RepoRec,
  d: DeploymentRec,
  s: DeploymentStatusRec,
): Record<string, unknown> {
  const deploymentUrl = `${api}/repos/${repo.fullName}/deployments/${d.id}`;
  const log = `https://ci.example.com/${repo.fullName}/deployments/${d.id}`;
  return {
    url: `${deploymentUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: `DES_kwDO${Buffer.from(String(s.id)).toString('base64url')}`,
    state: s.state,
    creator: userAt(api, store, s.creator),
    description: s.description,
    environment: d.environment,
    target_url: log,
    created_at: githubTime(s.created),
    updated_at: githubTime(s.created),
    deployment_url: deploymentUrl,
    repository_url: `${api}/repos/${repo.fullName}`,
    // Optional in GitHub's description and a `uri` when present: sent only once there is an environment to open.
    ...(s.state === 'success' ? { environment_url: `https://${d.environment}.example.com` } : {}),
    log_url: log,
  };
}
