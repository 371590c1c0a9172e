import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimState } from '../state.ts';
import type { HistoryRec } from './model.ts';
import { hashString } from '../data/prng.ts';
import { baseUrl, decodeToken, encodeToken } from '../http.ts';
import { historyJson, jiraError } from './serialize.ts';

const body = z.object({
  issueIdsOrKeys: z.array(z.string()).min(1).max(1000),
  maxResults: z.number().int().positive().optional(),
  nextPageToken: z.string().nullish(),
  fieldIds: z.array(z.string()).max(10).optional(),
});
const tokenSchema = z.object({
  h: z.number(),
  p: z.number().int().nonnegative(),
  o: z.number().int().nonnegative(),
});

export function registerChangelogRoutes(app: FastifyInstance, state: SimState): void {
  app.post('/rest/api/3/changelog/bulkfetch', async (request, reply) => {
    const parsed = body.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply
        .code(400)
        .send(jiraError(`Invalid request payload: ${parsed.error.issues[0]?.message ?? 'bad body'}`));
    }
    const { issueIdsOrKeys, maxResults, nextPageToken, fieldIds } = parsed.data;
    // Jira orders the result by issue id; unknown or invisible issues are left out.
    const indices = [
      ...new Set(issueIdsOrKeys.map((k) => state.jira.resolve(k)).filter((i) => i !== undefined)),
    ].sort((a, b) => a - b);
    const limit = Math.min(maxResults ?? 1000, 10000);
    const requestHash = hashString(`${indices.join(',')}|${(fieldIds ?? []).join(',')}`);
    let pos = 0;
    let offset = 0;
    if (nextPageToken) {
      const t = tokenSchema.safeParse(decodeToken(nextPageToken));
      if (!t.success || t.data.h !== requestHash)
        return reply.code(400).send(jiraError('The provided next page token is invalid.'));
      pos = t.data.p;
      offset = t.data.o;
    }
    const wanted = fieldIds ? new Set(fieldIds) : null;
    const historiesOf = (all: HistoryRec[]): HistoryRec[] => {
      if (!wanted) return all;
      return all
        .map((h) => ({ ...h, items: h.items.filter((it) => wanted.has(it.fieldId)) }))
        .filter((h) => h.items.length > 0);
    };
    const base = baseUrl(request);
    const issueChangeLogs: Array<{ issueId: string; changeHistories: unknown[] }> = [];
    let count = 0;
    let next: { p: number; o: number } | null = null;
    for (; pos < indices.length; pos++, offset = 0) {
      const rec = state.jira.get(indices[pos] ?? 0);
      const hist = historiesOf(rec.histories);
      if (offset >= hist.length) continue;
      if (count === limit) {
        next = { p: pos, o: offset };
        break;
      }
      const take = Math.min(limit - count, hist.length - offset);
      issueChangeLogs.push({
        issueId: String(rec.id),
        // Atlassian's bulkfetch example (and recorded responses) carry `created` as epoch ms; some histories here do too.
        changeHistories: hist.slice(offset, offset + take).map((h) => ({
          ...historyJson(base, state.jira, h),
          ...(h.id % 3 === 0 ? { created: h.created } : {}),
        })),
      });
      count += take;
      if (offset + take < hist.length) {
        next = { p: pos, o: offset + take };
        break;
      }
    }
    return { issueChangeLogs, ...(next ? { nextPageToken: encodeToken({ h: requestHash, ...next }) } : {}) };
  });
}
