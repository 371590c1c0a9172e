import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SimState } from '../state.ts';
import { hashString } from '../data/prng.ts';
import { baseUrl, decodeToken, encodeToken, queryInt, queryList, queryString } from '../http.ts';
import { JqlError, parseJql } from './jql.ts';
import { issueJson, jiraError, selectFields } from './serialize.ts';

interface SearchParams {
  jql: string | undefined;
  fields: string[] | undefined;
  expand: string | undefined;
  maxResults: number | null;
  nextPageToken: string | undefined;
}

const tokenSchema = z.object({ h: z.number(), v: z.array(z.number()), i: z.number().int() });

const postBody = z.object({
  jql: z.string().optional(),
  fields: z.array(z.string()).optional(),
  expand: z.union([z.string(), z.array(z.string())]).optional(),
  maxResults: z.number().int().optional(),
  nextPageToken: z.string().nullish(),
  properties: z.array(z.string()).optional(),
  fieldsByKeys: z.boolean().optional(),
  reconcileIssues: z.array(z.number()).optional(),
});

function search(state: SimState, request: FastifyRequest, reply: FastifyReply, p: SearchParams): unknown {
  if (p.maxResults === null || p.maxResults < 0)
    return reply.code(400).send(jiraError('maxResults must be a non-negative integer.'));
  const jql = p.jql ?? '';
  let q;
  try {
    q = parseJql(jql, state.config.now(), state.config.jira.timeZone);
  } catch (e) {
    if (e instanceof JqlError) return reply.code(400).send(jiraError(e.message));
    throw e;
  }
  if (!q.bounded) {
    return reply
      .code(400)
      .send(
        jiraError(
          'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
        ),
      );
  }
  let projects: Set<number> | null = null;
  if (q.projects) {
    projects = new Set();
    for (const k of q.projects) {
      const idx =
        state.jira.projectByKey.get(k) ??
        state.jira.projects.find((pr) => pr.id === k || pr.name.toUpperCase() === k)?.index;
      if (idx === undefined)
        return reply.code(400).send(jiraError(`The value '${k}' does not exist for the field 'project'.`));
      projects.add(idx);
    }
  }
  const fields = selectFields(p.fields, state.jira);
  const changelog = (p.expand ?? '')
    .split(',')
    .map((s) => s.trim())
    .includes('changelog');
  // Jira serves up to 5000 per page only when issues carry (almost) nothing; otherwise 100.
  const cap = fields.size === 0 && !changelog ? 5000 : 100;
  const limit = Math.max(1, Math.min(p.maxResults, cap));
  const jqlHash = hashString(jql);
  let cursor = null;
  if (p.nextPageToken) {
    const parsed = tokenSchema.safeParse(decodeToken(p.nextPageToken));
    if (!parsed.success || parsed.data.h !== jqlHash) {
      return reply
        .code(400)
        .send(jiraError('The provided next page token is invalid or does not match the query.'));
    }
    cursor = parsed.data;
  }
  const page = state.search.page(q, projects, cursor, limit);
  const base = baseUrl(request);
  const issues = page.indices.map((i) =>
    issueJson(base, state.jira, state.jira.get(i), fields, changelog ? 'inline' : 'none'),
  );
  const last = page.indices.at(-1);
  const out: Record<string, unknown> = { issues };
  if (page.more && last !== undefined) {
    out.nextPageToken = encodeToken({ h: jqlHash, v: state.search.values(page.order, last), i: last });
  }
  out.isLast = !page.more;
  return out;
}

export function registerSearchRoutes(app: FastifyInstance, state: SimState): void {
  app.get('/rest/api/3/search/jql', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    return search(state, request, reply, {
      jql: queryString(q.jql),
      fields: queryList(q.fields),
      expand: queryList(q.expand)?.join(','),
      maxResults: queryInt(q.maxResults, 50),
      nextPageToken: queryString(q.nextPageToken),
    });
  });

  app.post('/rest/api/3/search/jql', async (request, reply) => {
    const body = postBody.safeParse(request.body ?? {});
    if (!body.success)
      return reply
        .code(400)
        .send(jiraError(`Invalid request payload: ${body.error.issues[0]?.message ?? 'bad body'}`));
    const b = body.data;
    return search(state, request, reply, {
      jql: b.jql,
      fields: b.fields,
      expand: Array.isArray(b.expand) ? b.expand.join(',') : b.expand,
      maxResults: b.maxResults ?? 50,
      nextPageToken: b.nextPageToken ?? undefined,
    });
  });

  const removed = async (_request: FastifyRequest, reply: FastifyReply): Promise<unknown> =>
    reply
      .code(410)
      .send(
        jiraError(
          'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
        ),
      );
  app.get('/rest/api/3/search', removed);
  app.post('/rest/api/3/search', removed);
}
