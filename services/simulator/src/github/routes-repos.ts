import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimState } from '../state.ts';
import type { RepoRec } from './model.ts';
import { baseUrl, queryString } from '../http.ts';
import { githubError } from '../faults/gateway.ts';
import { DOCS, deploymentJson, releaseJson, repoJson } from './serialize.ts';
import { paginate } from './paging.ts';

export interface RepoParams {
  owner: string;
  repo: string;
}

export function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send(githubError(404, 'Not Found', DOCS));
}

export function findRepo(state: SimState, params: RepoParams): RepoRec | undefined {
  return state.github.findRepo(params.owner, params.repo);
}

export function registerRepoRoutes(app: FastifyInstance, state: SimState): void {
  app.get<{ Params: RepoParams }>('/repos/:owner/:repo', async (request, reply) => {
    const repo = findRepo(state, request.params);
    if (!repo) return notFound(reply);
    return repoJson(baseUrl(request), state.github, repo);
  });

  app.get<{ Params: RepoParams }>('/repos/:owner/:repo/deployments', async (request, reply) => {
    const repo = findRepo(state, request.params);
    if (!repo) return notFound(reply);
    const q = request.query as Record<string, unknown>;
    const filters = { sha: queryString(q.sha), ref: queryString(q.ref), task: queryString(q.task), environment: queryString(q.environment) };
    const n = state.github.deploymentCount(repo);
    // Newest first, as GitHub lists them. Without filters only the requested page is generated.
    const newestFirst = (pos: number): number => n - 1 - pos;
    const api = baseUrl(request);
    if (!filters.sha && !filters.ref && !filters.task && !filters.environment) {
      const { start, end } = paginate(request, reply, n);
      const out = [];
      for (let pos = start; pos < end; pos++) out.push(deploymentJson(api, state.github, repo, state.github.deployment(repo, newestFirst(pos))));
      return out;
    }
    const matching = [];
    for (let pos = 0; pos < n; pos++) {
      const d = state.github.deployment(repo, newestFirst(pos));
      if (filters.sha && d.sha !== filters.sha) continue;
      if (filters.ref && d.ref !== filters.ref) continue;
      if (filters.task && filters.task !== 'deploy') continue;
      if (filters.environment && d.environment !== filters.environment) continue;
      matching.push(d);
    }
    const { start, end } = paginate(request, reply, matching.length);
    return matching.slice(start, end).map((d) => deploymentJson(api, state.github, repo, d));
  });

  app.get<{ Params: RepoParams }>('/repos/:owner/:repo/releases', async (request, reply) => {
    const repo = findRepo(state, request.params);
    if (!repo) return notFound(reply);
    const n = state.github.releaseCount(repo);
    const { start, end } = paginate(request, reply, n);
    const api = baseUrl(request);
    const out = [];
    for (let pos = start; pos < end; pos++) out.push(releaseJson(api, state.github, repo, state.github.release(repo, n - 1 - pos)));
    return out;
  });
}
