import type { FastifyInstance } from 'fastify';
import { baseUrl } from '../http.ts';
import { ISSUE_TYPES, STATUSES } from './model.ts';
import { statusJson } from './serialize.ts';

export function registerMetaRoutes(app: FastifyInstance): void {
  app.get('/rest/api/3/status', async (request) => {
    const base = baseUrl(request);
    return STATUSES.map((_, i) => ({ ...statusJson(base, i), untranslatedName: STATUSES[i]?.name }));
  });

  app.get('/rest/api/3/issuetype', async (request) => {
    const base = baseUrl(request);
    return ISSUE_TYPES.map((t) => ({
      self: `${base}/rest/api/3/issuetype/${t.id}`,
      id: t.id,
      description: t.description,
      iconUrl: `${base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/10315?size=medium`,
      name: t.name,
      untranslatedName: t.name,
      subtask: t.subtask,
      avatarId: 10315,
      hierarchyLevel: t.hierarchyLevel,
    }));
  });
}
