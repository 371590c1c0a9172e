import type { FastifyInstance } from 'fastify';
import type { SimState } from '../state.ts';
import { baseUrl, queryInt, queryList, queryString } from '../http.ts';
import { jiraError, userJson } from './serialize.ts';

export function registerProjectRoutes(app: FastifyInstance, state: SimState): void {
  app.get('/rest/api/3/project/search', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const startAt = queryInt(q.startAt, 0);
    const maxResults = queryInt(q.maxResults, 50);
    if (startAt === null || maxResults === null || startAt < 0 || maxResults < 0) {
      return reply.code(400).send(jiraError('The value of startAt or maxResults is invalid.'));
    }
    const limit = Math.min(maxResults, 100);
    const keys = queryList(q.keys)
      ?.flatMap((k) => k.split(','))
      .map((k) => k.trim().toUpperCase());
    const text = queryString(q.query)?.toLowerCase();
    const all = [...state.jira.projects]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .filter((p) => !keys || keys.includes(p.key))
      .filter((p) => !text || p.key.toLowerCase().includes(text) || p.name.toLowerCase().includes(text));
    const base = baseUrl(request);
    const page = all.slice(startAt, startAt + limit);
    const isLast = startAt + page.length >= all.length;
    const self = `${base}/rest/api/3/project/search?startAt=${startAt}&maxResults=${limit}`;
    return {
      self,
      ...(isLast
        ? {}
        : { nextPage: `${base}/rest/api/3/project/search?startAt=${startAt + limit}&maxResults=${limit}` }),
      maxResults: limit,
      startAt,
      total: all.length,
      isLast,
      values: page.map((p) => {
        const lead = state.jira.users[p.lead];
        return {
          expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
          self: `${base}/rest/api/3/project/${p.id}`,
          id: p.id,
          key: p.key,
          name: p.name,
          avatarUrls: { '48x48': `${base}/rest/api/3/universal_avatar/view/type/project/avatar/10400` },
          projectTypeKey: 'software',
          simplified: p.simplified,
          style: p.simplified ? 'next-gen' : 'classic',
          isPrivate: false,
          properties: {},
          ...(lead
            ? { lead: (({ accountId, displayName }) => ({ accountId, displayName }))(userJson(base, lead)) }
            : {}),
        };
      }),
    };
  });
}
