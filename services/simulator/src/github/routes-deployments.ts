import type { FastifyInstance } from 'fastify';
import type { SimState } from '../state.ts';
import { baseUrl, queryString } from '../http.ts';
import { findRepo, notFound, type RepoParams } from './routes-repos.ts';
import { deploymentJson } from './serialize.ts';
import { deploymentStatusJson } from './serialize-deliveries.ts';
import { paginate } from './paging.ts';

/** `GET /repos/{o}/{r}/deployments` (newest first, with GitHub's filters) and each deployment's statuses. */
export function registerDeploymentRoutes(app: FastifyInstance, state: SimState): void {
  /** The repository and the deployment (with its statuses) a `/deployments/:id` path names. */
  const deploymentAt = (params: RepoParams & { id: string }) => {
    const repo = findRepo(state, params);
    return { repo, delivery: repo ? state.deliveries.find(repo, Number(params.id)) : undefined };
  };

  app.get<{ Params: RepoParams }>('/repos/:owner/:repo/deployments', async (request, reply) => {
    const repo = findRepo(state, request.params);
    if (!repo) return notFound(reply);
    const q = request.query as Record<string, unknown>;
    const sha = queryString(q.sha);
    const ref = queryString(q.ref);
    const task = queryString(q.task);
    const environment = queryString(q.environment);
    const matching = [...state.deliveries.timeline(repo)].reverse().filter(({ deployment: d }) => {
      if (sha && d.sha !== sha) return false;
      if (ref && d.ref !== ref) return false;
      if (task && task !== 'deploy') return false;
      if (environment && d.environment !== environment) return false;
      return true;
    });
    const { start, end } = paginate(request, reply, matching.length);
    const api = baseUrl(request);
    return matching.slice(start, end).map((d) => deploymentJson(api, state.github, repo, d.deployment));
  });

  app.get<{ Params: RepoParams & { id: string } }>(
    '/repos/:owner/:repo/deployments/:id',
    async (request, reply) => {
      const { repo, delivery } = deploymentAt(request.params);
      if (!repo || !delivery) return notFound(reply);
      return deploymentJson(baseUrl(request), state.github, repo, delivery.deployment);
    },
  );

  app.get<{ Params: RepoParams & { id: string } }>(
    '/repos/:owner/:repo/deployments/:id/statuses',
    async (request, reply) => {
      const { repo, delivery } = deploymentAt(request.params);
      if (!repo || !delivery) return notFound(reply);
      // Newest first, as GitHub lists them.
      const statuses = [...delivery.statuses].reverse();
      const { start, end } = paginate(request, reply, statuses.length);
      const api = baseUrl(request);
      return statuses
        .slice(start, end)
        .map((s) => deploymentStatusJson(api, state.github, repo, delivery.deployment, s));
    },
  );
}
