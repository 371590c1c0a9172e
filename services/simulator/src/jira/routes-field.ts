import type { FastifyInstance } from 'fastify';
import type { SimState } from '../state.ts';
import { fieldList } from './custom-fields.ts';

export function registerFieldRoutes(app: FastifyInstance, state: SimState): void {
  app.get('/rest/api/3/field', async () => fieldList(state.jira.customFields));
}
