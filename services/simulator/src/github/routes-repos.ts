import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimState } from '../state.ts';
import type { RepoRec } from './model.ts';
import { baseUrl } from '../http.ts';
import { githubError } from '../faults/gateway.ts';
import { DOCS, releaseJson, repoJson } from './serialize.ts';
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

  app.get<{ Params: RepoParams }>('/repos/:owner/:repo/releases', async (request, reply) => {
    const repo = findRepo(state, request.params);
    if (!repo) return notFound(reply);
    const n = state.github.releaseCount(repo);
    const { start, end } = paginate(request, reply, n);
    const api = baseUrl(request);
    const out = [];
    for (let pos = start; pos < end; pos++)
      out.push(releaseJson(api, state.github, repo, state.github.release(repo, n - 1 - pos)));
    return out;
  });
}
