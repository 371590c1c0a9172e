import type { FastifyInstance } from 'fastify';
import type { SimState } from '../state.ts';
import { hexFrom, hashString } from '../data/prng.ts';
import { baseUrl } from '../http.ts';
import { userJson } from './serialize.ts';

export function registerMyselfRoutes(app: FastifyInstance, state: SimState): void {
  app.get('/rest/api/3/myself', async (request) => {
    // The gateway already verified the header; only the email is needed to name the caller.
    const header = request.headers.authorization ?? '';
    const email =
      Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64')
        .toString('utf8')
        .split(':')[0] ?? '';
    const h = hexFrom(32, state.config.seed, 15, hashString(email));
    const user = userJson(baseUrl(request), {
      accountId: `712020:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
      displayName: 'Tributary Sync',
      emailAddress: email,
      // Jira reads every JQL date in this zone.
      timeZone: state.config.jira.timeZone,
      active: true,
    });
    return {
      ...user,
      locale: 'en_US',
      groups: { size: 1, items: [] },
      applicationRoles: { size: 1, items: [] },
    };
  });
}
