import type { FastifyInstance } from 'fastify';
import type { SimState } from '../state.ts';
import { baseUrl } from '../http.ts';
import { githubTime } from '../data/time.ts';
import { ghUser } from './serialize.ts';

export function registerUserRoutes(app: FastifyInstance, state: SimState): void {
  app.get('/user', async (request) => {
    const u = state.github.users[0];
    if (!u) throw new Error('no users generated');
    return {
      ...ghUser(baseUrl(request), u),
      name: u.name,
      company: state.github.owner.login,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 3,
      following: 1,
      private_gists: 0,
      total_private_repos: state.github.repos.length,
      owned_private_repos: 0,
      disk_usage: 10_000,
      collaborators: 0,
      two_factor_authentication: true,
      created_at: githubTime(state.github.epoch - 1500 * 86_400_000),
      updated_at: githubTime(state.github.epoch),
    };
  });

  app.get('/rate_limit', async (request) => {
    const header = request.headers.authorization ?? '';
    const token = header.replace(/^(Bearer|token)\s+/i, '');
    const q = state.limiter.peek('github', token);
    const limit = state.limiter.limits.github;
    const now = Math.ceil(state.config.now() / 1000);
    const core = q
      ? { limit: q.limit, used: q.used, remaining: q.remaining, reset: Math.ceil(q.resetAt / 1000) }
      : { limit: limit.limit, used: 0, remaining: limit.limit, reset: now + limit.windowSeconds };
    const idle = (n: number): Record<string, number> => ({
      limit: n,
      used: 0,
      remaining: n,
      reset: now + 3600,
    });
    return {
      resources: {
        core,
        search: idle(30),
        graphql: idle(5000),
        integration_manifest: idle(5000),
        code_search: idle(10),
      },
      rate: core,
    };
  });
}
