import type { FastifyInstance } from 'fastify';
import type { SimState } from '../state.ts';
import { registerMyselfRoutes } from './routes-myself.ts';
import { registerProjectRoutes } from './routes-project.ts';
import { registerMetaRoutes } from './routes-meta.ts';
import { registerSearchRoutes } from './routes-search.ts';
import { registerChangelogRoutes } from './routes-changelog.ts';
import { registerFieldRoutes } from './routes-field.ts';

export function registerJiraRoutes(app: FastifyInstance, state: SimState): void {
  registerMyselfRoutes(app, state);
  registerProjectRoutes(app, state);
  registerMetaRoutes(app);
  registerSearchRoutes(app, state);
  registerChangelogRoutes(app, state);
  registerFieldRoutes(app, state);
}
