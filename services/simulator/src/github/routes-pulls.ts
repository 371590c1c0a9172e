import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimState } from '../state.ts';
import type { PullRec } from './model.ts';
import { PR_STATE_OPEN } from './model.ts';
import { baseUrl, queryString } from '../http.ts';
import { DOCS, commitJson, pullJson, repoJson, reviewCommentJson, reviewJson } from './serialize.ts';
import { paginate } from './paging.ts';
import { findRepo, notFound } from './routes-repos.ts';
import type { RepoParams } from './routes-repos.ts';

interface PullParams extends RepoParams {
  number: string;
}

function validationFailed(reply: FastifyReply, field: string): FastifyReply {
  return reply.code(422).send({
    message: 'Validation Failed',
    errors: [{ resource: 'PullRequest', field, code: 'invalid' }],
    documentation_url: `${DOCS}/pulls/pulls#list-pull-requests`,
    status: '422',
  });
}

export function registerPullRoutes(app: FastifyInstance, state: SimState): void {
  const gh = state.github;

  app.get<{ Params: RepoParams }>('/repos/:owner/:repo/pulls', async (request, reply) => {
    const repo = findRepo(state, request.params);
    if (!repo) return notFound(reply);
    const q = request.query as Record<string, unknown>;
    const st = queryString(q.state) ?? 'open';
    const sort = queryString(q.sort) ?? 'created';
    if (!['open', 'closed', 'all'].includes(st)) return validationFailed(reply, 'state');
    if (!['created', 'updated', 'popularity', 'long-running'].includes(sort))
      return validationFailed(reply, 'sort');
    const dirRaw = queryString(q.direction);
    if (dirRaw !== undefined && dirRaw !== 'asc' && dirRaw !== 'desc')
      return validationFailed(reply, 'direction');
    // GitHub: desc when sort is created (or unspecified), otherwise asc.
    const desc = (dirRaw ?? (sort === 'created' ? 'desc' : 'asc')) === 'desc';
    const base = queryString(q.base);
    const key = (j: number): number =>
      sort === 'updated'
        ? (gh.updated[j] ?? 0)
        : sort === 'popularity'
          ? (gh.commentCount[j] ?? 0)
          : sort === 'long-running'
            ? -(gh.created[j] ?? 0)
            : (gh.created[j] ?? 0);
    const matching = repo.prs.filter((j) => {
      if (base !== undefined && base !== 'main') return false;
      const open = gh.state[j] === PR_STATE_OPEN;
      return st === 'all' || (st === 'open') === open;
    });
    // Ties broken by number so paging is stable.
    matching.sort((a, b) => {
      const d = key(a) - key(b) || a - b;
      return desc ? -d : d;
    });
    const { start, end } = paginate(request, reply, matching.length);
    const api = baseUrl(request);
    const repoObj = repoJson(api, gh, repo);
    return matching.slice(start, end).map((j) => pullJson(api, gh, gh.get(j), false, repoObj));
  });

  const withPull = (
    path: string,
    handler: (
      pr: PullRec,
      api: string,
      request: FastifyRequest<{ Params: PullParams }>,
      reply: FastifyReply,
    ) => unknown,
  ): void => {
    app.get<{ Params: PullParams }>(path, async (request, reply) => {
      const repo = findRepo(state, request.params);
      if (!repo) return notFound(reply);
      const j = gh.pullIndex(repo, /^\d+$/.test(request.params.number) ? Number(request.params.number) : NaN);
      if (j === undefined) return notFound(reply);
      return handler(gh.get(j), baseUrl(request), request, reply);
    });
  };

  withPull('/repos/:owner/:repo/pulls/:number', (pr, api) => pullJson(api, gh, pr, true));

  withPull('/repos/:owner/:repo/pulls/:number/reviews', (pr, api, request, reply) => {
    const { start, end } = paginate(request, reply, pr.reviews.length);
    return pr.reviews.slice(start, end).map((rv) => reviewJson(api, gh, pr, rv));
  });

  withPull('/repos/:owner/:repo/pulls/:number/comments', (pr, api, request, reply) => {
    const q = request.query as Record<string, unknown>;
    const dir = queryString(q.direction) === 'desc' ? -1 : 1;
    const since = queryString(q.since);
    const sinceMs = since ? Date.parse(since) : NaN;
    const list = pr.comments
      .filter((c) => Number.isNaN(sinceMs) || c.created >= sinceMs)
      .sort((a, b) => dir * (a.created - b.created || a.id - b.id));
    const { start, end } = paginate(request, reply, list.length);
    return list.slice(start, end).map((c) => reviewCommentJson(api, gh, pr, c));
  });

  withPull('/repos/:owner/:repo/pulls/:number/commits', (pr, api, request, reply) => {
    const { start, end } = paginate(request, reply, pr.commits.length);
    return pr.commits.slice(start, end).map((c) => commitJson(api, gh, pr, c));
  });
}
