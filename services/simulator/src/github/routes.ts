import type { FastifyInstance } from 'fastify';
import type { SimState } from '../state.ts';
import { registerUserRoutes } from './routes-user.ts';
import { registerRepoRoutes } from './routes-repos.ts';
import { registerPullRoutes } from './routes-pulls.ts';
import { registerDeploymentRoutes } from './routes-deployments.ts';
import { registerGraphqlRoutes } from './graphql/route.ts';

export function registerGithubRoutes(app: FastifyInstance, state: SimState): void {
  registerUserRoutes(app, state);
  registerRepoRoutes(app, state);
  registerPullRoutes(app, state);
  registerDeploymentRoutes(app, state);
  registerGraphqlRoutes(app, state);
}
